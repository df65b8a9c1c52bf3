package dev.eventbus.rabbitmq;

import dev.eventbus.core.EventBusException;

/**
 * A message was not published: the broker did not confirm it, or could not route it. The message names the
 * message, the exchange and routing key, and what to do. The caller decides whether to publish again.
 */
public class PublishException extends EventBusException {

    public PublishException(String message) {
        super(message);
    }

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
