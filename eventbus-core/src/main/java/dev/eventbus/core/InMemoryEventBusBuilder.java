package dev.eventbus.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an {@link InMemoryEventBus}; every setter states its default and checks its value. Not thread-safe:
 * build on one thread, then share the bus.
 */
public final class InMemoryEventBusBuilder {

    RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    FailureClassification failureClassification = FailureClassification.retryingAll();
    int handlerThreads = 1;
    MessageValidator validator = MessageValidator.NONE;
    @Nullable MessageCodec codec;
    Convention convention = Convention.of("local", "inmemory");
    Duration stopTimeout = Duration.ofSeconds(30);
    @Nullable InMemoryBroker broker;
    final List<Subscription> subscriptions = new ArrayList<>();
    final List<EventBusObserver> observers = new ArrayList<>();

    InMemoryEventBusBuilder() {
    }

    /**
     * The retry policy of handlers that have none of their own ({@link Subscription#withRetry(RetryPolicy)}).
     * Default is {@link RetryPolicy#DEFAULT}: 5 retries, 5 seconds apart.
     */
    public InMemoryEventBusBuilder retryPolicy(RetryPolicy retryPolicy) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        return this;
    }

    /**
     * Which handler failures are retried, for every handler (each subscription may narrow it further with
     * {@link Subscription#withFailureClassification}). Default: every failure but {@link NonRetryableException}.
     */
    public InMemoryEventBusBuilder failureClassification(FailureClassification rules) {
        this.failureClassification = Objects.requireNonNull(rules, "rules");
        return this;
    }

    /**
     * How many threads run handlers. Default is 1: one message at a time, in publish order except for retries. Shared by
     * the handlers without a concurrency of their own ({@link Subscription#withConcurrency}).
     *
     * @throws ConfigurationException if under 1
     */
    public InMemoryEventBusBuilder handlerThreads(int handlerThreads) {
        if (handlerThreads < 1) {
            throw new ConfigurationException("handlerThreads " + handlerThreads + " is under 1: handlers need a thread to run on");
        }
        this.handlerThreads = handlerThreads;
        return this;
    }

    /** Checks attributes on publish and on every typed delivery. Default is {@link MessageValidator#NONE}. */
    public InMemoryEventBusBuilder validator(MessageValidator validator) {
        this.validator = Objects.requireNonNull(validator, "validator");
        return this;
    }

    /**
     * The codec that encodes on publish and decodes on delivery; handlers' types are registered in its registry.
     * Default is a {@link MessageCodec} with {@link MessageCodec#defaultMapper()} and a new registry.
     */
    public InMemoryEventBusBuilder codec(MessageCodec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
        return this;
    }

    /**
     * The organization and service of this bus: its exchange, routing keys and queue names, as on a broker. Default
     * is {@code Convention.of("local", "inmemory")}.
     */
    public InMemoryEventBusBuilder convention(Convention convention) {
        this.convention = Objects.requireNonNull(convention, "convention");
        return this;
    }

    /**
     * The broker this bus shares with other in-memory buses (other services), so that they receive each other's
     * messages. Default is a broker of this bus's own.
     */
    public InMemoryEventBusBuilder broker(InMemoryBroker broker) {
        this.broker = Objects.requireNonNull(broker, "broker");
        return this;
    }

    /**
     * How long {@link InMemoryEventBus#stop()} waits for running handlers before interrupting them. Default is 30
     * seconds.
     *
     * @throws ConfigurationException if negative
     */
    public InMemoryEventBusBuilder stopTimeout(Duration stopTimeout) {
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        if (stopTimeout.isNegative()) {
            throw new ConfigurationException("stopTimeout " + stopTimeout + " is negative: use 0 to not wait for handlers");
        }
        this.stopTimeout = stopTimeout;
        return this;
    }

    /** Adds an observer of what the bus does (metrics, tracing, logs), after those added before. Default: none. */
    public InMemoryEventBusBuilder observer(EventBusObserver observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
        return this;
    }

    /** Adds handlers, in order. Default is none; more can be added later with {@link InMemoryEventBus#subscribe}. */
    public InMemoryEventBusBuilder subscribe(Subscription... subscriptions) {
        for (Subscription subscription : subscriptions) {
            this.subscriptions.add(Objects.requireNonNull(subscription, "subscription"));
        }
        return this;
    }

    /**
     * Builds the bus, not yet started, and attaches it to its broker.
     *
     * @throws ConfigurationException if two handlers share a name or their types clash
     */
    public InMemoryEventBus build() {
        return new InMemoryEventBus(this);
    }
}
