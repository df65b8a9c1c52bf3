package dev.eventbus.rabbitmq;

/**
 * Whether one handler is consuming its queue, for health checks.
 *
 * @param handler   the handler name
 * @param queue     the queue it consumes
 * @param state     what it is doing
 * @param detail    why it is not consuming, or null
 */
public record HandlerStatus(String handler, String queue, State state, String detail) {

    /** What a handler's consumer is doing. */
    public enum State {
        /** Not started yet. */
        IDLE,
        /** Registered with the broker and receiving messages. */
        CONSUMING,
        /** Paused by {@code unsubscribe}; resumes with {@code resume}. */
        PAUSED,
        /** The broker cancelled the consumer (e.g. its queue was deleted) or its channel closed: unhealthy. */
        FAILED,
        /** Stopped with the bus. */
        STOPPED
    }

    /** Healthy: consuming, or deliberately paused. */
    public boolean healthy() {
        return state == State.CONSUMING || state == State.PAUSED;
    }
}
