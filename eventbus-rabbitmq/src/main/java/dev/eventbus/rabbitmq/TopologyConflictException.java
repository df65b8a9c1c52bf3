package dev.eventbus.rabbitmq;

import dev.eventbus.core.ConfigurationException;

/**
 * A queue or exchange already exists on the broker with other arguments than the configurer declares
 * (RabbitMQ's 406 PRECONDITION_FAILED). Either declare it with the same settings as its other users
 * (for petisco services: the same TTLs, as 32-bit integers), or delete it and configure again.
 */
public class TopologyConflictException extends ConfigurationException {

    private final String name;
    private final String argument;

    public TopologyConflictException(String message, String name, String argument, Throwable cause) {
        super(message, cause);
        this.name = name;
        this.argument = argument;
    }

    /** The queue or exchange that conflicts. */
    public String name() {
        return name;
    }

    /** The argument that differs (e.g. {@code x-message-ttl}), or {@code null} if the broker did not say. */
    public String argument() {
        return argument;
    }
}
