package dev.eventbus.core;

/**
 * Handles messages of one type. Returning normally means success (the message is acknowledged);
 * throwing means failure: the message is retried per the handler's {@link RetryPolicy}, or sent to the
 * dead letters at once if the exception is a {@link NonRetryableException}.
 *
 * <p>Handlers are called on the bus's handler threads, possibly concurrently for different messages,
 * and a message may be delivered more than once (at-least-once delivery): make handlers idempotent.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface MessageHandler<T> {

    /**
     * Handles one message.
     *
     * @throws Exception to signal failure; see the type's contract for what happens next
     */
    void handle(Message<T> message) throws Exception;
}
