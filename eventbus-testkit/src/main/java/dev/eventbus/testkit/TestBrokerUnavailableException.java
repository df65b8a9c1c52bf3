package dev.eventbus.testkit;

import dev.eventbus.core.EventBusException;

/**
 * No RabbitMQ broker could be found or started for the tests. The message says what was tried and how
 * to provide a broker: set {@code EVENTBUS_RABBITMQ_URL}, start {@code rabbitmq-server -detached}, or
 * install Docker.
 */
public class TestBrokerUnavailableException extends EventBusException {

    /** An exception with a message that says what was tried and how to provide a broker. */
    public TestBrokerUnavailableException(String message) {
        super(message);
    }

    /** An exception with a message that says what was tried and how to provide a broker, and its cause. */
    public TestBrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
