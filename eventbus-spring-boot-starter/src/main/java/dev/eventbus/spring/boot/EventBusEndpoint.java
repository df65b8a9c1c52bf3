package dev.eventbus.spring.boot;

import dev.eventbus.core.BusHealth;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The Actuator endpoint {@code eventbus} ({@code /actuator/eventbus} once exposed:
 * {@code management.endpoints.web.exposure.include=health,eventbus}): the bus's names, each handler queue with its
 * state and dead-letter count, and on RabbitMQ the topology the bus declares (exchanges, queues with their arguments,
 * bindings). Read-only. Each read counts the dead letters on the broker, one passive declare per handler queue.
 * Thread-safe.
 */
@Endpoint(id = "eventbus")
public class EventBusEndpoint {

    private final EventBus bus;
    private final EventBusProperties properties;

    /** The endpoint of this bus. */
    public EventBusEndpoint(EventBus bus, EventBusProperties properties) {
        this.bus = bus;
        this.properties = properties;
    }

    /**
     * What the endpoint shows.
     *
     * @param transport    {@code rabbitmq}, {@code in-memory}, or the class of a bus of the application's own
     * @param organization the organization
     * @param service      the service
     * @param healthy      whether {@link EventBus#health()} is healthy
     * @param handlers     one entry per handler queue
     * @param topology     what the bus declares on RabbitMQ; null in memory
     */
    public record Description(String transport, @Nullable String organization, @Nullable String service, boolean healthy,
                              List<HandlerQueue> handlers, @Nullable Topology topology) {
    }

    /**
     * One handler queue.
     *
     * @param handler           the handler's name
     * @param queue             its queue
     * @param state             what its consumer does (CONSUMING, PAUSED, ...)
     * @param deadLetters       how many dead letters wait for it, or null if they could not be counted
     * @param deadLettersError  why they could not be counted, or null
     */
    public record HandlerQueue(String handler, String queue, String state, @Nullable Long deadLetters,
                               @Nullable String deadLettersError) {
    }

    /** The bus's description, read now. */
    @ReadOperation
    public Description describe() {
        BusHealth health = bus.health();
        List<HandlerQueue> handlers = health.handlers().stream().map(this::describe).toList();
        Topology topology = bus instanceof RabbitMqEventBus rabbit ? rabbit.admin().topology() : null;
        String transport = bus instanceof RabbitMqEventBus ? "rabbitmq" : bus instanceof InMemoryEventBus ? "in-memory"
                : bus.getClass().getName();
        return new Description(transport, properties.getOrganization(), properties.getService(), health.healthy(),
                handlers, topology);
    }

    private HandlerQueue describe(HandlerStatus status) {
        try {
            long count = bus.admin().deadLetters().count(status.queue());
            return new HandlerQueue(status.handler(), status.queue(), status.state().name(), count, null);
        } catch (EventBusException e) {
            return new HandlerQueue(status.handler(), status.queue(), status.state().name(), null, e.getMessage());
        }
    }
}
