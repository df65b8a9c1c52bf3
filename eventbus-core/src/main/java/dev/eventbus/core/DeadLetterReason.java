package dev.eventbus.core;

/** Why a message went to the dead letters. Each has the value written in the dead letter's reason header. */
public enum DeadLetterReason {
    /** The handler failed on every attempt: the first and all retries. */
    MAX_RETRIES_EXCEEDED("max_retries_exceeded"),
    /** The handler threw a {@link NonRetryableException}. */
    NON_RETRYABLE("non_retryable"),
    /** The body could not be decoded (not JSON, no envelope, bad field, attributes do not map). */
    UNDECODABLE("undecodable"),
    /** No Java type is registered for the message's name and version. */
    UNKNOWN_TYPE("unknown_type"),
    /** The message breaks its schema. */
    INVALID("invalid"),
    /**
     * Dead-lettered by the broker: the handler queue's {@code x-message-ttl} ran out before a consumer took it (petisco
     * declares 5 s), or the queue was full.
     */
    EXPIRED("expired"),
    /** Dead-lettered by the broker: a consumer rejected it without requeue (e.g. its retry could not be republished). */
    REJECTED("rejected"),
    /** Dead-lettered by the broker: a quorum queue redelivered it {@code x-delivery-limit} times without an ack. */
    DELIVERY_LIMIT("delivery_limit");

    private final String wireValue;

    DeadLetterReason(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The value in the dead letter's reason header. */
    public String wireValue() {
        return wireValue;
    }

    /** The reason for a header value, or {@code null} if unknown. */
    public static DeadLetterReason fromWire(String value) {
        for (DeadLetterReason reason : values()) {
            if (reason.wireValue.equals(value)) {
                return reason;
            }
        }
        return null;
    }

    /** The reason a failure of a handler (or of decoding before it) dead-letters a message for. */
    public static DeadLetterReason forFailure(Throwable failure, boolean retriesLeft) {
        if (failure instanceof MessageDecodingException decoding) {
            return decoding.reason() == MessageDecodingException.Reason.UNKNOWN_TYPE ? UNKNOWN_TYPE : UNDECODABLE;
        }
        if (failure instanceof InvalidMessageException) {
            return INVALID;
        }
        if (failure instanceof NonRetryableException) {
            return NON_RETRYABLE;
        }
        return retriesLeft ? null : MAX_RETRIES_EXCEEDED;
    }
}
