package dev.eventbus.rabbitmq;

/**
 * The broker did not confirm a message: it nacked it, the channel or connection closed before the
 * confirm arrived, or the confirm did not arrive in time. The message may or may not have been
 * delivered; publishing it again is safe for idempotent handlers (at-least-once).
 */
public class PublishNotConfirmedException extends PublishException {

    private final boolean connectionLost;

    public PublishNotConfirmedException(String message, boolean connectionLost, Throwable cause) {
        super(message, cause);
        this.connectionLost = connectionLost;
    }

    /** Whether the connection (not the channel or the broker's verdict) failed: a retry after recovery may succeed. */
    public boolean connectionLost() {
        return connectionLost;
    }
}
