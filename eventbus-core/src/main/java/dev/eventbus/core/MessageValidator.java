package dev.eventbus.core;

/**
 * Checks a message against its contract before it is published and after it is decoded. The schema
 * module provides the JSON Schema implementation; the buses call it on both sides.
 *
 * <p>Implementations must be thread-safe: buses call them from publisher and handler threads at once.
 */
@FunctionalInterface
public interface MessageValidator {

    /** Accepts every message. */
    MessageValidator NONE = (name, version, attributes) -> { };

    /**
     * Validates the attributes (the JSON object on the wire) of a message.
     *
     * @param name       the message name
     * @param version    the message version
     * @param attributes the attributes as a Jackson tree ({@code com.fasterxml.jackson.databind.JsonNode})
     * @throws InvalidMessageException listing each violation
     */
    void validate(String name, int version, com.fasterxml.jackson.databind.JsonNode attributes);
}
