package dev.eventbus.core;

/**
 * A message body could not be turned into a {@link Message}. The {@link #reason()} says which rule
 * it broke and, when the rule is about one field, {@link #field()} names it; such a message is never
 * retried: a consumer sends it to the dead letters with the reason.
 */
public class MessageDecodingException extends NonRetryableException {

    /** Why a body could not be decoded. */
    public enum Reason {
        /** The body is not JSON (or not UTF-8 text, or has a duplicate key or trailing data). */
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
    private final String field;

    public MessageDecodingException(Reason reason, String message) {
        this(reason, null, message, null);
    }

    public MessageDecodingException(Reason reason, String message, Throwable cause) {
        this(reason, null, message, cause);
    }

    /**
     * A failure at one field.
     *
     * @param field the field's path inside the envelope's {@code data} object, e.g. {@code id} or
     *              {@code attributes.seq}; null if the rule is about the body as a whole
     * @param cause the underlying failure, or null
     */
    public MessageDecodingException(Reason reason, String field, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.field = field;
    }

    /** Which decoding rule the body broke. */
    public Reason reason() {
        return reason;
    }

    /**
     * The field the body broke the rule at, as a path inside the envelope's {@code data} object: {@code id},
     * {@code version}, {@code attributes.seq}, {@code attributes.items[2].price}; null if the rule is about the
     * body as a whole (not JSON, no {@code data} object) or no single field is to blame.
     */
    public String field() {
        return field;
    }
}
