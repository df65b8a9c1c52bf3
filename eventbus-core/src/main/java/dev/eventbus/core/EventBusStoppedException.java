package dev.eventbus.core;

/**
 * The bus was stopped, so it no longer accepts messages or handlers: thrown by {@code publish},
 * {@code subscribe} and {@code start} after {@link EventBus#stop()}. Nothing was published. A stopped bus
 * stays stopped: build a new one.
 */
public class EventBusStoppedException extends EventBusException {

    public EventBusStoppedException(String message) {
        super(message);
    }
}
