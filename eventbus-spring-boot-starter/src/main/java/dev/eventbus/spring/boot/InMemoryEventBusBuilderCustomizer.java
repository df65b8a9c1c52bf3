package dev.eventbus.spring.boot;

import dev.eventbus.core.InMemoryEventBusBuilder;

/**
 * Changes the {@link InMemoryEventBusBuilder} of the in-memory bus ({@code eventbus.transport=in-memory}) after the
 * properties were applied and before {@code build()}; every bean of this type is applied, in {@code @Order}. For
 * example a shared {@link dev.eventbus.core.InMemoryBroker}, so that several in-memory buses of a test see each
 * other's messages. See {@link RabbitMqEventBusBuilderCustomizer} for the RabbitMQ bus.
 */
@FunctionalInterface
public interface InMemoryEventBusBuilderCustomizer {

    /** Changes the builder; called once, on the thread that creates the bus bean. */
    void customize(InMemoryEventBusBuilder builder);
}
