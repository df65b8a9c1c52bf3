package dev.eventbus.core;

import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.core.pipeline.IncomingDelivery;
import dev.eventbus.core.pipeline.Outcome;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Sees what a bus does, for metrics, tracing and logs: every method has a no-op default, so an observer implements only
 * what it needs, and a bus without observers pays nothing but a check. The one {@link
 * dev.eventbus.core.pipeline.PublishPipeline publish} and {@link dev.eventbus.core.pipeline.DeliveryPipeline delivery}
 * pipeline calls it, so every bus reports the same events; the RabbitMQ bus adds its consumers' and connections'.
 *
 * <p>Register observers on a bus's builder ({@code .observer(...)}); several are called in order
 * ({@link #composite(List)}). Called on publishing threads, handler threads and the client's connection thread:
 * implementations must be thread-safe, fast and must not throw (a throwing observer is logged and ignored).
 */
public interface EventBusObserver {

    /** Observes nothing. */
    EventBusObserver NONE = new EventBusObserver() { };

    /**
     * Before a message is checked and encoded: an observer may return a copy with more meta (trace context, for example),
     * which is what is then published. Default: the message as it is.
     */
    default Message<?> beforePublish(Message<?> message) {
        return message;
    }

    /** A message was handed to the transport; {@link #confirmed} or {@link #publishFailed} follows. */
    default void published(EncodedMessage message) {
    }

    /** The bus accepted the message (on RabbitMQ: the broker confirmed it), {@code latency} after it was handed over. */
    default void confirmed(EncodedMessage message, Duration latency) {
    }

    /**
     * The message was not accepted: nacked, not confirmed in time, the connection was lost before its confirm, or a
     * broker alarm blocked it too long. (Unroutable messages are reported to {@link #returned} instead.)
     */
    default void publishFailed(EncodedMessage message, Throwable failure) {
    }

    /**
     * The broker returned the message as unroutable (published mandatory, no queue bound to its routing key): nobody
     * received it. Called instead of {@link #publishFailed}; the default calls {@code publishFailed}, so an observer that
     * does not tell the two apart sees every failure there.
     *
     * @param failure the error the publisher gets (on RabbitMQ an {@code UnroutableMessageException})
     */
    default void returned(EncodedMessage message, Throwable failure) {
        publishFailed(message, failure);
    }

    /** A delivery arrived at one of the bus's queues, before it is decoded. */
    default void received(Endpoint endpoint, IncomingDelivery delivery) {
    }

    /**
     * A handler is about to run: the returned scope is open while it runs, on the handler thread (a tracer makes the
     * handling span current there, so messages the handler publishes are its children). Default: nothing.
     */
    default Scope handling(Endpoint endpoint, Message<?> message, Delivery delivery) {
        return Scope.NONE;
    }

    /**
     * What a delivery came to: handled, to be retried, dead-lettered or put back (see {@link Outcome}). {@code duration}
     * is how long the handler ran ({@link Duration#ZERO} when it never ran: undecodable, unknown type or invalid).
     */
    default void delivered(Endpoint endpoint, Outcome outcome, Duration duration) {
    }

    /** A handler's consumer was paused, failed (the broker cancelled it, or its channel closed) or recovered. */
    default void consumerChanged(String handler, String queue, HandlerStatus.State state, @Nullable String detail) {
    }

    /** A connection of the bus was blocked by a broker alarm ({@code blocked}), unblocked, or recovered. */
    default void connectionChanged(String connection, ConnectionEvent event, @Nullable String detail) {
    }

    /** What happened to a connection. */
    enum ConnectionEvent {
        /** The broker blocks publishing on it (a memory or disk alarm). */
        BLOCKED,
        /** The broker no longer blocks it. */
        UNBLOCKED,
        /** It was lost and automatic recovery reopened it. */
        RECOVERED
    }

    /** Open while a handler runs; closed on the handler thread when it returns or throws. */
    @FunctionalInterface
    interface Scope extends AutoCloseable {
        /** No scope. */
        Scope NONE = () -> { };

        @Override
        void close();
    }

    /** One observer that calls each of these in order, isolating each from the others' failures. */
    static EventBusObserver composite(List<EventBusObserver> observers) {
        List<EventBusObserver> all = observers.stream().filter(observer -> observer != NONE).toList();
        if (all.isEmpty()) {
            return NONE;
        }
        return new SafeObserver(all);
    }
}
