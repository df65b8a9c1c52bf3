package dev.eventbus.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The publishing role of a bus: what a class that only publishes depends on. It cannot subscribe, start or stop
 * anything. Every {@link EventBus} is one; a service that only publishes can take an {@code EventPublisher}.
 *
 * <pre>{@code
 * final class UserService {
 *     private final EventPublisher events;
 *     UserService(EventPublisher events) { this.events = events; }
 *     void create(String id) { events.publish(new UserCreated(id, "Alice")); }
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe: any number of threads may publish at once.
 */
public interface EventPublisher {

    /**
     * Publishes one event or command, wrapped in a new {@link Message}, and returns once the bus has accepted it
     * (on RabbitMQ: once the broker confirmed it). A {@link Message} is published as it is, and a {@link List} as
     * {@link #publish(List)} does.
     *
     * @throws MessageEncodingException if the payload is not an event or command (a string, number, map, array...)
     * @throws EventBusException        if it could not be published; nothing was accepted then
     */
    default void publish(Object payload) {
        Objects.requireNonNull(payload, "payload: publish an event or command, not null");
        if (payload instanceof List<?> list) {
            publish(list);
        } else {
            publish(toMessage(payload));
        }
    }

    /** Publishes a message with its own id, time and meta. Blocks like {@link #publish(Object)}. */
    void publish(Message<?> message);

    /**
     * Publishes several payloads or messages; returns once all are accepted.
     *
     * @throws EventBusException if any could not be published (the others may have been)
     */
    void publish(List<?> payloadsOrMessages);

    /** Publishes without blocking; the future completes when the bus accepted the message, or fails. */
    CompletableFuture<Void> publishAsync(Message<?> message);

    /**
     * Turns a payload or message into a message: a message as it is, an event or command in a new message.
     *
     * @throws MessageEncodingException if the payload is not an event or command (see {@link #requirePublishable})
     */
    static Message<?> toMessage(Object payloadOrMessage) {
        Objects.requireNonNull(payloadOrMessage, "payload: publish an event or command, not null");
        if (payloadOrMessage instanceof Message<?> message) {
            requirePublishable(message.payload());
            return message;
        }
        requirePublishable(payloadOrMessage);
        return Message.of(payloadOrMessage);
    }

    /**
     * Checks that a payload is an event or command of the application's own: not a JDK value (string, number,
     * boolean, date), collection, map, array, enum or {@code Optional}, which have no attributes on the wire.
     *
     * @throws MessageEncodingException naming the payload's class and what to publish instead
     */
    static void requirePublishable(Object payload) {
        Class<?> type = payload.getClass();
        String packageName = type.getPackageName();
        boolean jdk = packageName.startsWith("java.") || packageName.startsWith("javax.");
        if (jdk || type.isArray() || type.isEnum() || payload instanceof Collection<?> || payload instanceof Map<?, ?>) {
            throw new MessageEncodingException("cannot publish a " + type.getTypeName() + ": a payload is an event or "
                    + "command with named fields (a record implementing Event or Command, e.g. record UserCreated(String "
                    + "userId) implements Event), written as the message's attributes; a List is published as one message "
                    + "per element");
        }
    }
}
