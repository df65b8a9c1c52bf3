package dev.eventbus.core;

/**
 * Root of every exception eventbus throws. Unchecked: callers catch the subtype they can act on.
 *
 * <p>Messages say what happened, to what (the exchange, queue, event or handler by name) and what to
 * do about it. They never contain credentials or message bodies.
 */
public class EventBusException extends RuntimeException {

    public EventBusException(String message) {
        super(message);
    }

    public EventBusException(String message, Throwable cause) {
        super(message, cause);
    }
}
