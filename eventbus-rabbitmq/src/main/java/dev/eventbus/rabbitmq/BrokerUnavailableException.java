package dev.eventbus.rabbitmq;

import dev.eventbus.core.EventBusException;

/**
 * No connection to RabbitMQ could be opened. The message names the addresses tried (never the
 * password) and how to start or point to a broker.
 */
public class BrokerUnavailableException extends EventBusException {

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
