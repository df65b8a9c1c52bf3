package dev.eventbus.core;

import org.jspecify.annotations.Nullable;

/**
 * Whether one handler is consuming one of its queues, for health checks. Immutable.
 *
 * @param handler the handler name
 * @param queue   the queue it consumes (on the in-memory bus, the queue it would have on a broker)
 * @param state   what it is doing
 * @param detail  why it is not consuming, or null
 */
public record HandlerStatus(String handler, String queue, State state, @Nullable String detail) {

    /** What a handler's consumer is doing. */
    public enum State {
        /** Not started yet. */
        IDLE,
        /** Receiving messages. */
        CONSUMING,
        /** Paused by {@link EventBus#pause(String)}; resumes with {@link EventBus#resume(String)}. */
        PAUSED,
        /**
         * Suspended by its {@link KillSwitch}: too many attempts failed, so it consumes none of its messages (they wait in
         * the queue) until the cool-down is over. Unhealthy: its dependency is down; the detail says why and until when.
         */
        SUSPENDED,
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
