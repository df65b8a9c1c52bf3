package dev.eventbus.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes events and commands and runs the handlers subscribed to them. Implemented over RabbitMQ
 * ({@code dev.eventbus.rabbitmq.RabbitMqEventBus}) and in memory ({@link InMemoryEventBus}), with the same
 * semantics: routing by name, version and kind; retries up to a maximum with a delay; then dead letters.
 *
 * <p>Implementations are thread-safe: any number of threads may publish at once.
 */
public interface EventBus extends AutoCloseable {

    /**
     * Publishes one event or command, wrapped in a new {@link Message}, and returns once the bus has
     * accepted it (on RabbitMQ: once the broker confirmed it).
     *
     * @throws EventBusException if it could not be published; nothing was accepted then
     */
    void publish(Object payload);

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

    /** Adds a handler. Before {@link #start()} it is started with the others; after, at once. */
    void subscribe(Subscription subscription);

    /** Starts delivering messages to the subscribed handlers. */
    void start();

    /** Stops delivering to one handler at runtime (its messages wait, on RabbitMQ in its queue). */
    void unsubscribe(String handlerName);

    /** Starts delivering to a handler stopped by {@link #unsubscribe(String)} again. */
    void resume(String handlerName);

    /**
     * Stops delivering, lets handlers that are running finish, then releases resources. Messages not yet
     * handled stay queued (RabbitMQ) or are dropped with a warning (in memory). Idempotent.
     */
    void stop();

    /** Same as {@link #stop()}. */
    @Override
    default void close() {
        stop();
    }

    /** Turns a payload or message into a message. */
    static Message<?> toMessage(Object payloadOrMessage) {
        if (payloadOrMessage instanceof Message<?> message) {
            return message;
        }
        return Message.of(payloadOrMessage);
    }
}
