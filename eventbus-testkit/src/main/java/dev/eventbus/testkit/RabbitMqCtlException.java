package dev.eventbus.testkit;

import dev.eventbus.core.EventBusException;

/**
 * A {@code rabbitmqctl} command could not run, failed, timed out or printed output that could not be
 * read. The message names the command, what it printed and how to fix the setup.
 */
public class RabbitMqCtlException extends EventBusException {

    /** An exception whose message names the command and what went wrong. */
    public RabbitMqCtlException(String message) {
        super(message);
    }

    /** An exception whose message names the command and what went wrong, with its cause. */
    public RabbitMqCtlException(String message, Throwable cause) {
        super(message, cause);
    }
}
