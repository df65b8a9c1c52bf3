package dev.eventbus.core;

/**
 * A message body could not be turned into a {@link Message}. The {@link #reason()} says which rule
 * it broke; such a message is never retried: a consumer sends it to the dead letters with the reason.
 */
public class MessageDecodingException extends NonRetryableException {

    /** Why a body could not be decoded. */
    public enum Reason {
        /** The body is not JSON (or not UTF-8 text). */
        UNDECODABLE_BODY,
        /** The body is JSON but has no {@code data} object (petisco's envelope). */
        NO_DATA_ENVELOPE,
        /** A field of the envelope is missing or has the wrong JSON type or format. */
        INVALID_FIELD,
        /** No Java type is registered for the message's name and version. */
        UNKNOWN_TYPE,
        /** The attributes do not map onto the registered Java type. */
        ATTRIBUTES_MISMATCH
    }

    private final Reason reason;

    public MessageDecodingException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public MessageDecodingException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Which decoding rule the body broke. */
    public Reason reason() {
        return reason;
    }
}
