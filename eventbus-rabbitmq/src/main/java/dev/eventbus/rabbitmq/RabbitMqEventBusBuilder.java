package dev.eventbus.rabbitmq;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.NameStyle;
import dev.eventbus.core.Names;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link RabbitMqEventBus}: {@code RabbitMqEventBus.builder()}. Each setter's javadoc states its default; each
 * checks its own value at once (naming the setter and the rule), and {@link #build()} checks what depends on several.
 * Not thread-safe: build on one thread, then share the bus.
 */
public final class RabbitMqEventBusBuilder {
    @Nullable RabbitMqConnectionSettings connection;
    @Nullable String connectionName;
    @Nullable String organization;
    @Nullable String service;
    NameStyle nameStyle = NameStyle.UNDERSCORES;
    final List<Subscription> subscriptions = new ArrayList<>();
    final List<MessageType<?>> types = new ArrayList<>();
    final List<EventBusObserver> observers = new ArrayList<>();
    @Nullable Duration heartbeat;
    javax.net.ssl.@Nullable SSLContext sslContext;
    @Nullable Integer maxInboundMessageBodySize;
    @Nullable Boolean shuffleAddresses;
    final List<java.util.function.Consumer<ConnectionRecovery>> recoveryCallbacks = new ArrayList<>();
    RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    dev.eventbus.core.FailureClassification failureClassification = dev.eventbus.core.FailureClassification.retryingAll();
    int prefetch = 50;
    int consumerThreads = 4;
    QueueType queueType = QueueType.CLASSIC;
    int deliveryLimit = 10;
    @Nullable Duration handlerQueueTtl = PETISCO_HANDLER_QUEUE_TTL;
    boolean declareStore;
    Duration storeRetryDelay = Duration.ofSeconds(5);
    @Nullable Duration storeQueueTtl = PETISCO_HANDLER_QUEUE_TTL;
    int maxInFlight = 100;
    int publisherChannels = 4;
    Duration publishTimeout = Duration.ofSeconds(30);
    Duration stopTimeout = Duration.ofSeconds(30);
    boolean failOnUnroutable = true;
    final java.util.Set<String> metaHeaders = new java.util.LinkedHashSet<>();
    MessageValidator validator = MessageValidator.NONE;
    @Nullable ObjectMapper mapper;

    /** petisco's {@code x-message-ttl} of handler and store queues. */
    static final Duration PETISCO_HANDLER_QUEUE_TTL = Duration.ofMillis(5000);

    RabbitMqEventBusBuilder() {
    }

    /** Where to connect. Default: {@link RabbitMqConnectionSettings#fromEnvironment()}. */
    public RabbitMqEventBusBuilder connection(RabbitMqConnectionSettings settings) {
        this.connection = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /** Where to connect, as an AMQP URI. Default: from the environment. */
    public RabbitMqEventBusBuilder uri(String uri) {
        return connection(RabbitMqConnectionSettings.fromUri(uri));
    }

    /** The client-provided connection name prefix. Default: {@code organization.service}. */
    public RabbitMqEventBusBuilder connectionName(String name) {
        this.connectionName = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * The organization, e.g. {@code alice}: the first part of every exchange, routing key and queue name. Required.
     *
     * @throws ConfigurationException if it is empty or has characters other than letters, digits, {@code -} and
     *                                {@code _}
     */
    public RabbitMqEventBusBuilder organization(String organization) {
        this.organization = Names.requireScopePart(organization, "organization");
        return this;
    }

    /**
     * The service, e.g. {@code petisco}: the second part of every exchange, routing key and queue name. Required.
     *
     * @throws ConfigurationException if it is not a valid name part (see {@link #organization})
     */
    public RabbitMqEventBusBuilder service(String service) {
        this.service = Names.requireScopePart(service, "service");
        return this;
    }

    /**
     * How message names are written in routing keys and queue names. Default: {@link NameStyle#UNDERSCORES}, as every
     * petisco release writes them ({@code alice.petisco.1.event.user_created}); {@link NameStyle#DOTS} only for a fleet
     * that shares no queue with petisco services.
     */
    public RabbitMqEventBusBuilder nameStyle(NameStyle style) {
        this.nameStyle = Objects.requireNonNull(style, "style");
        return this;
    }

    /**
     * Adds an observer of what the bus does (published, confirmed, delivered, consumers and connections), after those
     * added before: metrics ({@code eventbus-micrometer}), tracing, logs. Default: none.
     */
    public RabbitMqEventBusBuilder observer(EventBusObserver observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
        return this;
    }

    /** Adds handlers. Default: none (a publish-only bus). */
    public RabbitMqEventBusBuilder subscribe(Subscription... subscriptions) {
        this.subscriptions.addAll(List.of(subscriptions)); // List.of rejects nulls
        return this;
    }

    /** Registers types to decode besides those of the subscriptions (e.g. for reading dead letters). Default: none. */
    public RabbitMqEventBusBuilder register(Class<?>... classes) {
        for (Class<?> type : classes) {
            types.add(MessageType.of(type));
        }
        return this;
    }

    /** The retry policy of handlers without their own. Default: {@link RetryPolicy#DEFAULT} (5 retries, 5 s apart). */
    public RabbitMqEventBusBuilder retryPolicy(RetryPolicy policy) {
        this.retryPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * Which handler failures are retried, for every handler (each subscription may narrow it further with
     * {@link dev.eventbus.core.Subscription#withFailureClassification}); the others are dead-lettered at once. Default:
     * every failure but {@link dev.eventbus.core.NonRetryableException}.
     */
    public RabbitMqEventBusBuilder failureClassification(dev.eventbus.core.FailureClassification rules) {
        this.failureClassification = Objects.requireNonNull(rules, "rules");
        return this;
    }

    /**
     * Unacknowledged messages per queue consumer (basic.qos). Default: 50. A handler with a concurrency of its own gets at
     * least twice its concurrency.
     */
    public RabbitMqEventBusBuilder prefetch(int prefetch) {
        this.prefetch = positive(prefetch, "prefetch");
        return this;
    }

    /**
     * Threads running handlers, shared by the handlers without a concurrency of their own
     * ({@link Subscription#withConcurrency}). Default: 4; 1 keeps each queue's order. With 1, and no subscription with a
     * concurrency or an ordering key of its own nor a stream subscription, that one thread is the consumer connection's
     * dispatch thread: handlers run where the client delivers, with no hand-off to another thread (lower latency and
     * less CPU per message), still one handler at a time for the whole bus.
     */
    public RabbitMqEventBusBuilder consumerThreads(int threads) {
        this.consumerThreads = positive(threads, "consumerThreads");
        return this;
    }

    /** Classic or quorum queues. Default: {@link QueueType#CLASSIC}. */
    public RabbitMqEventBusBuilder queueType(QueueType type) {
        this.queueType = Objects.requireNonNull(type, "type");
        return this;
    }

    /** {@code x-delivery-limit} of quorum handler queues. Default: 10. */
    public RabbitMqEventBusBuilder quorumDeliveryLimit(int limit) {
        this.deliveryLimit = positive(limit, "quorumDeliveryLimit");
        return this;
    }

    /**
     * {@code x-message-ttl} of handler queues. Default: 5 s, as petisco declares them, so that a Java and a petisco
     * service can each declare a shared queue first without {@code PRECONDITION_FAILED}.
     *
     * <p><b>Beware in a fleet of Java services only:</b> with a TTL, a message nobody consumes within it (the consumer is
     * down, paused, or behind) is dead-lettered by the broker to the handler's dead-letter queue. Such a fleet sets
     * {@code handlerQueueTtl(null)}: no TTL, messages wait in the queue however long. Queue arguments cannot change on a
     * queue that exists: declare the new value on new queues, or delete the old ones once drained.
     *
     * @param ttl the TTL, or null for none
     * @throws ConfigurationException if under 1 ms or over what a 32-bit {@code x-message-ttl} holds
     */
    public RabbitMqEventBusBuilder handlerQueueTtl(@Nullable Duration ttl) {
        this.handlerQueueTtl = checkTtl(ttl, "handlerQueueTtl");
        return this;
    }

    /** Whether {@link RabbitMqAdmin#configure()} declares the shared store queues. Default: false (true with a store subscription). */
    public RabbitMqEventBusBuilder declareStore(boolean declare) {
        this.declareStore = declare;
        return this;
    }

    /**
     * The TTL of the vhost-wide {@code retry.store} queue: how long a store handler's failed message waits before
     * it is retried. Every service of a vhost that declares the store must use the same value (the queue is
     * shared). Default: 5 s, as petisco. The store subscription's own retry policy sets only how often.
     */
    public RabbitMqEventBusBuilder storeRetryDelay(Duration delay) {
        this.storeRetryDelay = RetryPolicy.of(0, Objects.requireNonNull(delay, "delay")).delay();
        return this;
    }

    /**
     * {@code x-message-ttl} of the vhost-wide {@code store} queue: every service of the vhost that declares the store
     * must use the same value (the queue is shared). Default: 5 s, as petisco declares it; null for none.
     *
     * @throws ConfigurationException if under 1 ms or over what a 32-bit {@code x-message-ttl} holds
     */
    public RabbitMqEventBusBuilder storeQueueTtl(@Nullable Duration ttl) {
        this.storeQueueTtl = checkTtl(ttl, "storeQueueTtl");
        return this;
    }

    /** Unconfirmed messages in flight at most, across publishing threads. Default: 100. */
    public RabbitMqEventBusBuilder maxInFlight(int max) {
        this.maxInFlight = positive(max, "maxInFlight");
        return this;
    }

    /** Channels publishing in parallel, one thread at a time each. Default: 4. */
    public RabbitMqEventBusBuilder publisherChannels(int channels) {
        this.publisherChannels = positive(channels, "publisherChannels");
        return this;
    }

    /** How long a blocking publish waits for its confirm, for a lost connection, or for an alarm to clear. Default: 30 s. */
    public RabbitMqEventBusBuilder publishTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ConfigurationException("publishTimeout " + timeout + " must be positive: it bounds how long a blocking "
                    + "publish waits for its confirm");
        }
        this.publishTimeout = timeout;
        return this;
    }

    /** How long {@link RabbitMqEventBus#stop()} waits for running handlers. Default: 30 s. */
    public RabbitMqEventBusBuilder stopTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new ConfigurationException("stopTimeout " + timeout + " is negative: use 0 to not wait for handlers");
        }
        this.stopTimeout = timeout;
        return this;
    }

    /**
     * Whether publishing a message no queue is bound for fails with {@link UnroutableMessageException} (published
     * as {@code mandatory}). Default: true. With false the broker drops such messages silently.
     */
    public RabbitMqEventBusBuilder failOnUnroutable(boolean fail) {
        this.failOnUnroutable = fail;
        return this;
    }

    /**
     * Copies these entries of each published message's {@code meta} into AMQP headers of the same names too, e.g.
     * {@code metaHeaders("traceparent", "tracestate")} for consumers that read trace context from headers (other
     * OpenTelemetry instrumentations). Default: none, and keep it so where petisco services consume: petisco's consumer
     * retries a message that carries any header under a routing key nothing is bound to (docs/topology.md), while
     * {@code meta} reaches it unharmed. A message without the entry gets no header for it.
     *
     * @throws ConfigurationException if a key is blank or starts with {@code x-} (the broker's headers)
     */
    public RabbitMqEventBusBuilder metaHeaders(String... keys) {
        for (String key : keys) {
            Objects.requireNonNull(key, "key");
            if (key.isBlank() || key.startsWith("x-")) {
                throw new ConfigurationException("meta header '" + key + "' is blank or starts with x- (the broker's own "
                        + "headers): name a meta key, e.g. traceparent");
            }
            metaHeaders.add(key);
        }
        return this;
    }

    /** Checks messages on publish and on consume (e.g. JSON Schema). Default: {@link MessageValidator#NONE}. */
    public RabbitMqEventBusBuilder validator(MessageValidator validator) {
        this.validator = Objects.requireNonNull(validator, "validator");
        return this;
    }

    /** The Jackson mapper for attributes. Default: {@link MessageCodec#defaultMapper()}. */
    public RabbitMqEventBusBuilder objectMapper(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        return this;
    }

    /**
     * The AMQP heartbeat (whole seconds; {@link Duration#ZERO} turns it off). A connection the client heard nothing on
     * for about 2.25 heartbeats is closed and recovered, and {@link RabbitMqEventBus#isConnected()} and
     * {@link RabbitMqEventBus#health()} say so meanwhile. Default: the connection settings'
     * ({@link RabbitMqConnectionSettings#DEFAULT_HEARTBEAT}, 10 s, unless the URI's {@code heartbeat} or
     * {@code RABBITMQ_HEARTBEAT} says otherwise).
     */
    public RabbitMqEventBusBuilder heartbeat(Duration heartbeat) {
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        return this;
    }

    /**
     * TLS with this context for this bus's connections (trusted CAs, client certificate), the server's host name
     * verified. Default: TLS only for {@code amqps} URIs, with the JVM's default trust store.
     */
    public RabbitMqEventBusBuilder tls(javax.net.ssl.SSLContext context) {
        this.sslContext = Objects.requireNonNull(context, "context");
        return this;
    }

    /**
     * The largest message body the bus accepts, in bytes: a larger one closes the consumer connection (on every
     * redelivery), so keep it at least the broker's {@code max_message_size}. Default: 512 MiB, the most a broker accepts.
     */
    public RabbitMqEventBusBuilder maxInboundMessageBodySize(int bytes) {
        this.maxInboundMessageBodySize = positive(bytes, "maxInboundMessageBodySize");
        return this;
    }

    /**
     * Whether each connection attempt tries the addresses in a random order (true, spreading services over a cluster)
     * or in the order given (false). Default: true.
     */
    public RabbitMqEventBusBuilder shuffleAddresses(boolean shuffle) {
        this.shuffleAddresses = shuffle;
        return this;
    }

    /**
     * Called after each automatic recovery of one of the bus's connections, with what the client reported. Default: none;
     * every recovery is logged as one WARN line anyway.
     */
    public RabbitMqEventBusBuilder onConnectionRecovery(java.util.function.Consumer<ConnectionRecovery> callback) {
        this.recoveryCallbacks.add(Objects.requireNonNull(callback, "callback"));
        return this;
    }

    RabbitMqConnectionSettings connectionSettings() {
        RabbitMqConnectionSettings settings = Objects.requireNonNull(connection, "connection").withConnectionName(
                connectionName != null ? connectionName : organization + "." + service);
        if (heartbeat != null) {
            settings = settings.withHeartbeat(heartbeat);
        }
        if (sslContext != null) {
            settings = settings.withTls(sslContext);
        }
        if (maxInboundMessageBodySize != null) {
            settings = settings.withMaxInboundMessageBodySize(maxInboundMessageBodySize);
        }
        if (shuffleAddresses != null) {
            settings = settings.withShuffledAddresses(shuffleAddresses);
        }
        return settings;
    }

    /**
     * Builds the bus. Opens no connection yet.
     *
     * @throws ConfigurationException if organization or service is missing or invalid, or a handler name repeats
     */
    public RabbitMqEventBus build() {
        if (organization == null || service == null) {
            throw new ConfigurationException("organization and service are required: RabbitMqEventBus.builder()"
                    + ".organization(\"alice\").service(\"petisco\")");
        }
        if (connection == null) {
            connection = RabbitMqConnectionSettings.fromEnvironment();
        }
        return new RabbitMqEventBus(this);
    }

    private static @Nullable Duration checkTtl(@Nullable Duration ttl, String setting) {
        if (ttl != null && (ttl.toMillis() < 1 || ttl.toMillis() > Integer.MAX_VALUE)) {
            throw new ConfigurationException(setting + " " + ttl + " is out of range: x-message-ttl takes 1 ms to "
                    + Integer.MAX_VALUE + " ms (about 24.8 days) as a 32-bit integer; use null for no TTL");
        }
        return ttl;
    }

    private static int positive(int value, String name) {
        if (value < 1) {
            throw new ConfigurationException(name + " " + value + " must be 1 or more");
        }
        return value;
    }
}
