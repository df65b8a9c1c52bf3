package dev.eventbus.rabbitmq;

/**
 * The broker did not confirm a message: it nacked it, the channel or connection closed before the
 * confirm arrived, or the confirm did not arrive in time. The message may or may not have been
 * delivered; publishing it again is safe for idempotent handlers (at-least-once).
 */
public class PublishNotConfirmedException extends PublishException {

    private final boolean connectionLost;
    private final boolean channelClosed;

    public PublishNotConfirmedException(String message, boolean connectionLost, Throwable cause) {
        this(message, connectionLost, false, cause);
    }

    /**
     * @param channelClosed whether a channel error closed the channel the message was awaiting its confirm on: the
     *                      error may have been caused by another message published on that channel
     */
    public PublishNotConfirmedException(String message, boolean connectionLost, boolean channelClosed, Throwable cause) {
        super(message, cause);
        this.connectionLost = connectionLost;
        this.channelClosed = channelClosed;
    }

    /**
     * Whether a channel error (not the broker's verdict on this message alone) closed the channel before the confirm:
     * the error may have been caused by another message on the same channel.
     */
    public boolean channelClosed() {
        return channelClosed;
    }

    /** Whether the connection (not the channel or the broker's verdict) failed: a retry after recovery may succeed. */
    public boolean connectionLost() {
        return connectionLost;
    }
}
