package dev.eventbus.rabbitmq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.EventBusStoppedException;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.NameStyle;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus over RabbitMQ: petisco's topology and wire format, publisher confirms, TTL retry queues and
 * dead letters, over the official amqp-client with automatic recovery.
 *
 * <pre>{@code
 * RabbitMqEventBus bus = RabbitMqEventBus.builder()
 *         .organization("alice").service("petisco")
 *         .subscribe(Subscription.of(UserCreated.class, new SendMailHandler()))
 *         .build();
 * bus.configure();                      // exchanges, queues, bindings (idempotent)
 * bus.start();                          // consume
 * bus.publish(new UserCreated("u-1", "Alice"));
 * bus.stop();
 * }</pre>
 *
 * <p>Thread-safe. Publishing uses one connection, consuming another (so broker flow control on publishers
 * never stalls acknowledgements). Handlers run on the bus's handler threads ({@code consumerThreads}), several
 * at once, so messages of one queue may be handled out of order; use one thread for strict order. Connections
 * open on first use.
 */
public final class RabbitMqEventBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(RabbitMqEventBus.class);

    private final RabbitMqConnector connector;
    private final Convention convention;
    private final MessageCodec codec;
    private final MessageValidator validator;
    private final Topology.Options topologyOptions;
    private final int maxInFlight;
    private final int publisherChannels;
    private final Duration publishTimeout;
    private final boolean mandatory;
    private final HandlerConsumers consumers;

    private final Object lifecycle = new Object();
    private volatile Connection publisherConnection;
    private volatile Connection consumerConnection;
    private ConfirmingPublisher publisher;
    private volatile boolean started;
    private volatile boolean stopped;

    private RabbitMqEventBus(Builder builder) {
        this.connector = new RabbitMqConnector(builder.connectionSettings());
        builder.recoveryCallbacks.forEach(connector::onRecovery);
        this.convention = new Convention(builder.organization, builder.service, builder.nameStyle);
        MessageRegistry registry = new MessageRegistry();
        builder.types.forEach(registry::register);
        registry.registerAll(builder.subscriptions);
        this.codec = builder.mapper == null ? new MessageCodec(registry) : new MessageCodec(registry, builder.mapper);
        this.validator = builder.validator;
        this.topologyOptions = new Topology.Options(builder.queueType, builder.deliveryLimit,
                builder.handlerQueueTtl == null ? null : (int) builder.handlerQueueTtl.toMillis(), builder.retryPolicy,
                builder.declareStore, (int) builder.storeRetryDelay.toMillis());
        this.maxInFlight = builder.maxInFlight;
        this.publisherChannels = builder.publisherChannels;
        this.publishTimeout = builder.publishTimeout;
        this.mandatory = builder.failOnUnroutable;
        this.consumers = new HandlerConsumers(convention, topologyOptions, builder.prefetch, builder.consumerThreads,
                builder.stopTimeout, connector.settings().connectionName());
        for (Subscription subscription : builder.subscriptions) {
            consumers.add(subscription);
        }
    }

    /** A builder; {@code organization} and {@code service} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The naming convention of this bus's organization and service. */
    public Convention convention() {
        return convention;
    }

    /**
     * The client-provided name prefix of this bus's connections: they are named {@code <name>-publisher} and
     * {@code <name>-consumer} (see {@code rabbitmqctl list_connections client_properties}).
     */
    public String connectionName() {
        return connector.settings().connectionName();
    }

    /**
     * Whether the connections this bus has opened are up (false while automatic recovery reconnects them).
     * A bus that has opened none yet is not connected.
     */
    public boolean isConnected() {
        Connection publishing = publisherConnection;
        Connection consuming = consumerConnection;
        return (publishing != null || consuming != null) && (publishing == null || publishing.isOpen())
                && (consuming == null || consuming.isOpen());
    }

    /** The codec this bus encodes and decodes with (its registry knows every subscribed type). */
    public MessageCodec codec() {
        return codec;
    }

    /** The subscriptions of this bus. */
    public List<Subscription> subscriptions() {
        return consumers.subscriptions();
    }

    /** The exchanges, queues and bindings {@link #configure()} declares for the current subscriptions. */
    public Topology topology() {
        return Topology.plan(convention, consumers.subscriptions(), topologyOptions);
    }

    /**
     * Declares the topology of the current subscriptions on the broker. Idempotent. Blocks until declared.
     *
     * @throws TopologyConflictException  if a queue or exchange exists with other arguments
     * @throws BrokerUnavailableException if no broker can be reached
     */
    public void configure() {
        new RabbitMqConfigurer(publisherConnection()).declare(topology());
    }

    /**
     * Deletes the queues (with their messages) and exchanges {@link #configure()} declares, except the shared store's.
     */
    public void clear() {
        new RabbitMqConfigurer(publisherConnection()).clear(topology());
    }

    /**
     * Deletes the queues of one handler (its handler, retry and dead-letter queues, with their messages), leaving
     * the exchanges and every other handler's queues. Unsubscribe the handler first; {@link #resume} declares its
     * queues again.
     *
     * @throws ConfigurationException if no handler of that name is subscribed
     */
    public void clearHandler(String handlerName) {
        Topology handlerOnly = consumers.topologyOf(consumers.subscription(handlerName));
        new RabbitMqConfigurer(publisherConnection()).clear(new Topology(List.of(), handlerOnly.queues(), List.of()));
    }

    /**
     * Publishes a message body, as it is, to one handler queue only (through the main exchange of the service the
     * queue belongs to, with the queue's {@code retry.<queue>} key, which nothing else is bound to), and returns once
     * the broker confirmed it. The queue may be another service's. For replaying stored messages to a handler that missed them, or moving messages between queues. The body
     * should be an envelope the handler can decode; it gets no headers, so it counts as a first attempt.
     *
     * @param handlerQueue the queue, e.g. {@code bus.convention().handlerQueue(type, "audit")}
     * @throws UnroutableMessageException   if no such queue is bound (not configured)
     * @throws PublishNotConfirmedException if the broker did not confirm it
     */
    public void deliverTo(String handlerQueue, byte[] body) {
        Objects.requireNonNull(body, "body");
        publisherOrOpen().publish(exchangeOf(handlerQueue), convention.retryRoutingKey(handlerQueue), true, deliveryProperties(),
                body, "a message delivered to " + handlerQueue);
    }

    /**
     * {@link #deliverTo(String, byte[]) Delivers} several bodies, in this order (on one channel, so the queue gets
     * them in order), all in flight at once, and returns once all are confirmed. Those caught by a connection loss or
     * a channel error are published again, one by one, after the others: order holds only without faults.
     *
     * @throws PublishException the first that failed, the others suppressed; the rest were delivered
     */
    public void deliverTo(String handlerQueue, List<byte[]> bodies) {
        String exchange = exchangeOf(handlerQueue);
        String routingKey = convention.retryRoutingKey(handlerQueue);
        bodies.forEach(body -> Objects.requireNonNull(body, "body"));
        List<CompletableFuture<Void>> confirms = publisherOrOpen().publishInOrder(exchange, routingKey, true, deliveryProperties(),
                bodies, "a message delivered to " + handlerQueue);
        awaitAll(confirms, i -> deliverTo(handlerQueue, bodies.get(i)), i -> "message " + i + " delivered to " + handlerQueue);
    }

    /** The main exchange of the service a handler queue belongs to: the first two parts of its name. */
    private String exchangeOf(String handlerQueue) {
        Objects.requireNonNull(handlerQueue, "handlerQueue");
        if (stopped) {
            throw new EventBusStoppedException("a message was not delivered to " + handlerQueue + ": the bus is stopped");
        }
        String[] parts = handlerQueue.split("\\.", 3);
        if (parts.length < 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new ConfigurationException("'" + handlerQueue + "' is not a handler queue name (<organization>.<service>...."
                    + "<handler>): take it from convention().handlerQueue(type, handler)");
        }
        return parts[0] + "." + parts[1];
    }

    private AMQP.BasicProperties deliveryProperties() {
        return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).appId(convention.service())
                .build();
    }

    /** Reads and reprocesses the dead letters of this bus's handlers. */
    public RabbitMqDeadLetters deadLetters() {
        return new RabbitMqDeadLetters(publisherConnection(), convention, this::publisherOrOpen);
    }

    // ---------------------------------------------------------------- publishing

    @Override
    public void publish(Object payload) {
        publish(EventBus.toMessage(payload));
    }

    /**
     * Publishes and returns once the broker confirmed the message. A lost connection is waited out (and the
     * message published again) until {@code publishTimeout}.
     *
     * @throws dev.eventbus.core.InvalidMessageException if the validator rejects it (nothing is sent)
     * @throws UnroutableMessageException                 if no queue is bound to its routing key
     * @throws PublishNotConfirmedException               if the broker did not confirm it
     * @throws PublishException                           if the connection stayed blocked by a broker alarm
     */
    @Override
    public void publish(Message<?> message) {
        Outgoing outgoing = prepare(message);
        publisherOrOpen().publish(convention.mainExchange(), outgoing.routingKey, mandatory, outgoing.properties,
                outgoing.body, message.describe());
    }

    /**
     * Publishes every message, all in flight at once, and returns once all are confirmed.
     *
     * @throws PublishException for the first that failed, with the others that failed as suppressed exceptions;
     *                          the rest were published. Messages unconfirmed because the connection dropped or another
     *                          message's channel error closed their channel are published again first, as
     *                          {@link #publish(Message)} does
     */
    @Override
    public void publish(List<?> payloadsOrMessages) {
        List<Message<?>> messages = payloadsOrMessages.stream().<Message<?>>map(EventBus::toMessage).toList();
        List<CompletableFuture<Void>> confirms = new ArrayList<>(messages.size());
        for (Message<?> message : messages) {
            confirms.add(publishAsync(message));
        }
        awaitAll(confirms, i -> publish(messages.get(i)), i -> messages.get(i).describe());
    }

    /**
     * Waits for every confirm; a message unconfirmed because the connection dropped or another message's channel
     * error closed its channel is published again the way a single blocking publish recovers.
     *
     * @throws EventBusException the first failure, the others suppressed
     */
    private static void awaitAll(List<CompletableFuture<Void>> confirms, java.util.function.IntConsumer publishAgain,
                                 java.util.function.IntFunction<String> describe) {
        EventBusException first = null;
        for (int i = 0; i < confirms.size(); i++) {
            try {
                confirms.get(i).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof PublishNotConfirmedException lost && (lost.connectionLost() || lost.channelClosed())) {
                    try {
                        publishAgain.accept(i);
                        continue;
                    } catch (EventBusException again) {
                        first = addFailure(first, again);
                        continue;
                    }
                }
                first = addFailure(first, e.getCause() instanceof EventBusException ebe ? ebe
                        : new PublishException(describe.apply(i) + " failed: " + e.getCause(), e.getCause()));
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static EventBusException addFailure(EventBusException first, EventBusException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /**
     * Publishes without waiting. The future completes when the broker confirmed the message, or fails with a
     * {@link PublishException}; it completes on the client's connection thread, so do not block in code chained on
     * it (use the {@code ...Async} methods of CompletableFuture with an executor of yours). One attempt: a message
     * unconfirmed when the connection drops fails with {@link PublishNotConfirmedException#connectionLost()}.
     *
     * @throws dev.eventbus.core.InvalidMessageException at once if the validator rejects it
     */
    @Override
    public CompletableFuture<Void> publishAsync(Message<?> message) {
        Outgoing outgoing = prepare(message);
        return publisherOrOpen().publishAsync(convention.mainExchange(), outgoing.routingKey, mandatory,
                outgoing.properties, outgoing.body, message.describe());
    }

    private record Outgoing(String routingKey, AMQP.BasicProperties properties, byte[] body) {
    }

    private Outgoing prepare(Message<?> message) {
        if (stopped) {
            throw new EventBusStoppedException(message.describe() + " was not published: the bus is stopped; build a new bus");
        }
        if (validator != MessageValidator.NONE) {
            validator.validate(message.name(), message.version(), codec.attributes(message));
        }
        byte[] body = codec.encode(message);
        // no headers on originals: petisco consumers lose messages that carry any (see Headers)
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .messageId(message.id())
                .timestamp(Date.from(message.occurredOn()))
                .type(message.name())
                .appId(convention.service())
                .build();
        return new Outgoing(convention.routingKey(message), properties, body);
    }

    // ---------------------------------------------------------------- consuming

    @Override
    public void subscribe(Subscription subscription) {
        List<QueueConsumer> added = consumers.add(subscription);
        codec.registry().registerAll(List.of(subscription));
        synchronized (lifecycle) {
            if (started && !stopped) {
                consumers.startAdded(subscription, added);
            }
        }
    }

    /**
     * Starts consuming the queues of every subscription. The queues must exist: call {@link #configure()} first
     * (here or in a deployment step). Idempotent.
     *
     * @throws EventBusException if a queue is missing (naming it)
     */
    @Override
    public void start() {
        synchronized (lifecycle) {
            if (stopped) {
                throw new EventBusStoppedException("this bus was stopped; build a new one to start again");
            }
            if (started) {
                return;
            }
            ConfirmingPublisher confirming = publisherOrOpen();
            consumerConnection = connector.open("consumer");
            consumers.start(consumerConnection, publisherConnection(),
                    stopping -> new DeliveryProcessor(codec, validator, confirming, stopping));
            started = true;
        }
    }

    @Override
    public void unsubscribe(String handlerName) {
        consumers.pause(handlerName);
    }

    /** Declares the handler's queues (again, after {@link #clearHandler}; idempotent) and consumes them again. */
    @Override
    public void resume(String handlerName) {
        synchronized (lifecycle) {
            consumers.resume(handlerName);
        }
    }

    /**
     * Whether each handler is consuming. A handler whose consumer the broker cancelled (its queue was deleted), or
     * whose connection is down, is not healthy.
     */
    public List<HandlerStatus> health() {
        return consumers.health();
    }

    /**
     * Stops: consumers are cancelled so no new message starts, handlers that are running finish (up to
     * {@code stopTimeout}) and are acknowledged, messages received but not started go back to their queues,
     * then the connections close. Idempotent.
     */
    @Override
    public void stop() {
        synchronized (lifecycle) {
            if (stopped) {
                return;
            }
            consumers.stop();
            stopped = true;
            if (publisher != null) {
                publisher.close();
            }
            closeQuietly(consumerConnection);
            closeQuietly(publisherConnection);
            log.info("stopped the bus of {}", convention.mainExchange());
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null && connection.isOpen()) {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                log.debug("closing a connection failed", e);
            }
        }
    }

    private Connection publisherConnection() {
        synchronized (lifecycle) {
            if (stopped) {
                throw new EventBusStoppedException("this bus is stopped; build a new one");
            }
            if (publisherConnection == null) {
                publisherConnection = connector.open("publisher");
            }
            return publisherConnection;
        }
    }

    private ConfirmingPublisher publisherOrOpen() {
        ConfirmingPublisher current = publisher;
        if (current != null) {
            return current;
        }
        synchronized (lifecycle) {
            if (publisher == null) {
                publisher = new ConfirmingPublisher(publisherConnection(), maxInFlight, publisherChannels, publishTimeout);
            }
            return publisher;
        }
    }

    /**
     * Builds a {@link RabbitMqEventBus}. Not thread-safe; each setter's javadoc states its default.
     */
    public static final class Builder {
        private RabbitMqConnectionSettings connection;
        private String connectionName;
        private String organization;
        private String service;
        private NameStyle nameStyle = NameStyle.DOTS;
        private final List<Subscription> subscriptions = new ArrayList<>();
        private final List<MessageType<?>> types = new ArrayList<>();
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private int prefetch = 50;
        private int consumerThreads = 4;
        private QueueType queueType = QueueType.CLASSIC;
        private int deliveryLimit = 10;
        private Duration handlerQueueTtl;
        private boolean declareStore;
        private Duration storeRetryDelay = Duration.ofSeconds(5);
        private int maxInFlight = 100;
        private int publisherChannels = 4;
        private Duration publishTimeout = Duration.ofSeconds(30);
        private Duration stopTimeout = Duration.ofSeconds(30);
        private boolean failOnUnroutable = true;
        private MessageValidator validator = MessageValidator.NONE;
        private ObjectMapper mapper;
        private Duration heartbeat;
        private javax.net.ssl.SSLContext sslContext;
        private Integer maxInboundMessageBodySize;
        private Boolean shuffleAddresses;
        private final List<java.util.function.Consumer<ConnectionRecovery>> recoveryCallbacks = new ArrayList<>();

        private Builder() {
            this.connection = null;
        }

        /** Where to connect. Default: {@link RabbitMqConnectionSettings#fromEnvironment()}. */
        public Builder connection(RabbitMqConnectionSettings settings) {
            this.connection = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Where to connect, as an AMQP URI. Default: from the environment. */
        public Builder uri(String uri) {
            return connection(RabbitMqConnectionSettings.fromUri(uri));
        }

        /** The client-provided connection name prefix. Default: {@code organization.service}. */
        public Builder connectionName(String name) {
            this.connectionName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The organization, e.g. {@code alice}. Required. */
        public Builder organization(String organization) {
            this.organization = organization;
            return this;
        }

        /** The service, e.g. {@code petisco}. Required. */
        public Builder service(String service) {
            this.service = service;
            return this;
        }

        /** How message names are written in broker names. Default: {@link NameStyle#DOTS}. */
        public Builder nameStyle(NameStyle style) {
            this.nameStyle = Objects.requireNonNull(style, "style");
            return this;
        }

        /** Adds handlers. Default: none (a publish-only bus). */
        public Builder subscribe(Subscription... subscriptions) {
            this.subscriptions.addAll(List.of(subscriptions));
            return this;
        }

        /** Registers types to decode besides those of the subscriptions (e.g. for reading dead letters). Default: none. */
        public Builder register(Class<?>... classes) {
            for (Class<?> type : classes) {
                types.add(MessageType.of(type));
            }
            return this;
        }

        /** The retry policy of handlers without their own. Default: {@link RetryPolicy#DEFAULT} (5 retries, 5 s apart). */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Unacknowledged messages per queue consumer (basic.qos). Default: 50. */
        public Builder prefetch(int prefetch) {
            this.prefetch = positive(prefetch, "prefetch");
            return this;
        }

        /** Threads running handlers, shared by all handlers. Default: 4; 1 keeps each queue's order. */
        public Builder consumerThreads(int threads) {
            this.consumerThreads = positive(threads, "consumerThreads");
            return this;
        }

        /** Classic or quorum queues. Default: {@link QueueType#CLASSIC}. */
        public Builder queueType(QueueType type) {
            this.queueType = Objects.requireNonNull(type, "type");
            return this;
        }

        /** {@code x-delivery-limit} of quorum handler queues. Default: 10. */
        public Builder quorumDeliveryLimit(int limit) {
            this.deliveryLimit = positive(limit, "quorumDeliveryLimit");
            return this;
        }

        /**
         * {@code x-message-ttl} of handler and store queues: a message nobody consumes within it is dead-lettered.
         * Default: none. petisco declares 5 s: set {@code Duration.ofSeconds(5)} to share queues with petisco services.
         */
        public Builder handlerQueueTtl(Duration ttl) {
            this.handlerQueueTtl = ttl;
            return this;
        }

        /** Whether {@link #configure()} declares the shared store queues. Default: false (true with a store subscription). */
        public Builder declareStore(boolean declare) {
            this.declareStore = declare;
            return this;
        }

        /**
         * The TTL of the vhost-wide {@code retry.store} queue: how long a store handler's failed message waits before
         * it is retried. Every service of a vhost that declares the store must use the same value (the queue is
         * shared). Default: 5 s, as petisco. The store subscription's own retry policy sets only how often.
         */
        public Builder storeRetryDelay(Duration delay) {
            this.storeRetryDelay = RetryPolicy.of(0, Objects.requireNonNull(delay, "delay")).delay();
            return this;
        }

        /** Unconfirmed messages in flight at most, across publishing threads. Default: 100. */
        public Builder maxInFlight(int max) {
            this.maxInFlight = positive(max, "maxInFlight");
            return this;
        }

        /** Channels publishing in parallel, one thread at a time each. Default: 4. */
        public Builder publisherChannels(int channels) {
            this.publisherChannels = positive(channels, "publisherChannels");
            return this;
        }

        /** How long a blocking publish waits for its confirm, for a lost connection, or for an alarm to clear. Default: 30 s. */
        public Builder publishTimeout(Duration timeout) {
            this.publishTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long {@link #stop()} waits for running handlers. Default: 30 s. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Whether publishing a message no queue is bound for fails with {@link UnroutableMessageException} (published
         * as {@code mandatory}). Default: true. With false the broker drops such messages silently.
         */
        public Builder failOnUnroutable(boolean fail) {
            this.failOnUnroutable = fail;
            return this;
        }

        /** Checks messages on publish and on consume (e.g. JSON Schema). Default: {@link MessageValidator#NONE}. */
        public Builder validator(MessageValidator validator) {
            this.validator = Objects.requireNonNull(validator, "validator");
            return this;
        }

        /** The Jackson mapper for attributes. Default: {@link MessageCodec#defaultMapper()}. */
        public Builder objectMapper(ObjectMapper mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * The AMQP heartbeat (whole seconds; {@link Duration#ZERO} turns it off). A connection the client heard nothing on
         * for about 2.25 heartbeats is closed and recovered, and {@link RabbitMqEventBus#isConnected()} is false meanwhile.
         * Default: the connection settings' ({@link RabbitMqConnectionSettings#DEFAULT_HEARTBEAT}, 10 s, unless the URI's
         * {@code heartbeat} or {@code RABBITMQ_HEARTBEAT} says otherwise).
         */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
            return this;
        }

        /**
         * TLS with this context for this bus's connections (trusted CAs, client certificate), the server's host name
         * verified. Default: TLS only for {@code amqps} URIs, with the JVM's default trust store.
         */
        public Builder tls(javax.net.ssl.SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * The largest message body the bus accepts, in bytes: a larger one closes the consumer connection (on every
         * redelivery), so keep it at least the broker's {@code max_message_size}. Default: 512 MiB, the most a broker accepts.
         */
        public Builder maxInboundMessageBodySize(int bytes) {
            this.maxInboundMessageBodySize = positive(bytes, "maxInboundMessageBodySize");
            return this;
        }

        /**
         * Whether each connection attempt tries the addresses in a random order (true, spreading services over a
         * cluster) or in the order given (false). Default: true.
         */
        public Builder shuffleAddresses(boolean shuffle) {
            this.shuffleAddresses = shuffle;
            return this;
        }

        /**
         * Called after each automatic recovery of one of the bus's connections, with what the client reported (see
         * {@link RabbitMqConnector#onRecovery}). Default: none; every recovery is logged as one WARN line anyway.
         */
        public Builder onConnectionRecovery(java.util.function.Consumer<ConnectionRecovery> callback) {
            this.recoveryCallbacks.add(Objects.requireNonNull(callback, "callback"));
            return this;
        }

        private RabbitMqConnectionSettings connectionSettings() {
            RabbitMqConnectionSettings settings = connection.withConnectionName(
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

        private static int positive(int value, String name) {
            if (value < 1) {
                throw new ConfigurationException(name + " " + value + " must be 1 or more");
            }
            return value;
        }
    }
}
