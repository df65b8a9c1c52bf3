package dev.eventbus.core.pipeline;

import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageKind;
import dev.eventbus.core.MessageValidator;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The one publishing pipeline of every bus: check that the payload is an event or command, validate its attributes,
 * encode it, and name its exchange and routing key by the {@link Convention}. The bus then only sends the
 * {@link Outgoing} it returns. Thread-safe.
 *
 * <p>The exchange and each payload type's routing key are named once, not per message: the routing key of the last
 * name, version and kind seen for a payload class is kept (one entry per class; a class published under several names,
 * such as the untyped map, is named again whenever its name changes).
 */
public final class PublishPipeline {

    private final Convention convention;
    private final MessageCodec codec;
    private final MessageValidator validator;
    private final EventBusObserver observer;
    private final String exchange;
    private final ConcurrentMap<Class<?>, Route> routes = new ConcurrentHashMap<>();

    /** The routing key of a payload class under one name, version and kind. */
    private record Route(String name, int version, MessageKind kind, String routingKey) {
        boolean matches(Message<?> message) {
            return version == message.version() && kind == message.kind() && name.equals(message.name());
        }
    }

    public PublishPipeline(Convention convention, MessageCodec codec, MessageValidator validator) {
        this(convention, codec, validator, EventBusObserver.NONE);
    }

    /** A pipeline that reports to the observer (see {@link #sent}). */
    public PublishPipeline(Convention convention, MessageCodec codec, MessageValidator validator, EventBusObserver observer) {
        this.convention = Objects.requireNonNull(convention, "convention");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.exchange = convention.mainExchange();
    }

    /**
     * Prepares one message for sending.
     *
     * @throws dev.eventbus.core.MessageEncodingException if the payload is not an event or command, or cannot be written
     * @throws dev.eventbus.core.InvalidMessageException  if the validator rejects its attributes
     * @throws dev.eventbus.core.ConfigurationException   if its name cannot be part of a routing key
     */
    public Outgoing prepare(Message<?> message) {
        Objects.requireNonNull(message, "message");
        EventPublisher.requirePublishable(message.payload());
        message = observer.beforePublish(Causation.correlate(message));
        String routingKey = routingKey(message);
        if (validator != MessageValidator.NONE) {
            validator.validate(message.name(), message.version(), codec.attributes(message));
        }
        return new Outgoing(message, exchange, routingKey, codec.encode(message));
    }

    /** The convention's routing key, named once per payload class (and again if the class's name changes). */
    private String routingKey(Message<?> message) {
        Class<?> type = message.payload().getClass();
        Route route = routes.get(type);
        if (route == null || !route.matches(message)) {
            route = new Route(message.name(), message.version(), message.kind(), convention.routingKey(message));
            routes.put(type, route);
        }
        return route.routingKey();
    }

    /**
     * Reports a message handed to the transport; the bus reports its fate on the returned handle, once. Cheap without
     * observers.
     */
    public Sent sent(EncodedMessage message) {
        if (observer == EventBusObserver.NONE) {
            return Sent.UNOBSERVED;
        }
        observer.published(message);
        long start = System.nanoTime();
        return failure -> {
            if (failure == null) {
                observer.confirmed(message, java.time.Duration.ofNanos(System.nanoTime() - start));
            } else {
                observer.publishFailed(message, failure);
            }
        };
    }

    /** The fate of one sent message, reported once by the bus. */
    @FunctionalInterface
    public interface Sent {
        /** For a pipeline without observers. */
        Sent UNOBSERVED = failure -> { };

        /** Reports the outcome: {@code null} when the bus accepted the message, else why not. */
        void settled(@org.jspecify.annotations.Nullable Throwable failure);

        /** Reports the outcome of the future when it completes, and returns it. */
        default <T> java.util.concurrent.CompletableFuture<T> track(java.util.concurrent.CompletableFuture<T> future) {
            if (this != UNOBSERVED) {
                future.whenComplete((ok, failure) -> settled(failure instanceof java.util.concurrent.CompletionException
                        && failure.getCause() != null ? failure.getCause() : failure));
            }
            return future;
        }
    }

    /** The convention that names this pipeline's exchange and routing keys. */
    public Convention convention() {
        return convention;
    }
}
