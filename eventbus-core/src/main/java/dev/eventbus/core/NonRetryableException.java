package dev.eventbus.core;

/**
 * Thrown by a handler to say "retrying will not help": the message goes straight to the handler's
 * dead letters with this exception's message as the reason, without using up the retries.
 *
 * <p>Any other exception thrown by a handler is retried up to the handler's {@link RetryPolicy}.
 */
public class NonRetryableException extends EventBusException {

    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
