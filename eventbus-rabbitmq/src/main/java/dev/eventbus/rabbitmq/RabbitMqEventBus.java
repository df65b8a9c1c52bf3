package dev.eventbus.rabbitmq;

import dev.eventbus.rabbitmq.internal.connection.RabbitMqConnector;
import dev.eventbus.rabbitmq.internal.consuming.DeliverySettler;
import dev.eventbus.rabbitmq.internal.consuming.HandlerConsumers;
import dev.eventbus.rabbitmq.internal.streams.StreamConsumers;
import dev.eventbus.rabbitmq.internal.consuming.QueueConsumer;
import dev.eventbus.rabbitmq.internal.publishing.ConfirmingPublisher;
import dev.eventbus.rabbitmq.internal.publishing.Confirms;
import dev.eventbus.rabbitmq.internal.publishing.PublisherChannel;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.BusHealth;
import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.EventBusStoppedException;
import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.core.Subscription;
import dev.eventbus.core.pipeline.DeliveryPipeline;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.core.pipeline.EncodedPublisher;
import dev.eventbus.core.pipeline.Outgoing;
import dev.eventbus.core.pipeline.PublishPipeline;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus over RabbitMQ: petisco's topology and wire format, publisher confirms, TTL retry queues and dead
 * letters, over the official amqp-client with automatic recovery. Publishing and delivering run the core's
 * {@link PublishPipeline} and {@link DeliveryPipeline}, the same as the in-memory bus's.
 *
 * <pre>{@code
 * RabbitMqEventBus bus = RabbitMqEventBus.builder()
 *         .organization("alice").service("petisco")
 *         .subscribe(Subscription.of(UserCreated.class, new SendMailHandler()))
 *         .build();
 * bus.admin().configure();              // exchanges, queues, bindings (idempotent)
 * bus.start();                          // consume
 * bus.publish(new UserCreated("u-1", "Alice"));
 * bus.stop();
 * }</pre>
 *
 * <p>Thread-safe. Publishing uses one connection, consuming another (so broker flow control on publishers never stalls
 * acknowledgements, and consumers never wait for a blocked publishing connection). Handlers run on the bus's handler
 * threads ({@code consumerThreads}), several at once, so messages of one queue may be handled out of order; use one
 * thread for strict order. A subscription with {@link dev.eventbus.core.Subscription#withConcurrency} runs on threads of
 * its own, one ordered by key ({@link dev.eventbus.core.Subscription#orderedBy}) keeps each key's order. Connections open
 * on first use.
 */
public final class RabbitMqEventBus implements EventBus, EncodedPublisher {

    private static final Logger log = LoggerFactory.getLogger(RabbitMqEventBus.class);

    private final RabbitMqConnector connector;
    private final Convention convention;
    private final MessageCodec codec;
    private final PublishPipeline publishing;
    private final EventBusObserver observer;
    private final java.util.function.Function<java.util.function.BooleanSupplier, DeliveryPipeline> delivering;
    private final Topology.Options topologyOptions;
    private final int maxInFlight;
    private final int publisherChannels;
    private final Duration publishTimeout;
    private final boolean mandatory;
    private final List<String> metaHeaders;
    private final HandlerConsumers consumers;
    private final StreamConsumers streams;
    private final RabbitMqAdmin admin = new RabbitMqAdmin(this);

    private final Object lifecycle = new Object();
    private volatile @Nullable Connection publisherConnection;
    private volatile @Nullable Connection consumerConnection;
    private volatile @Nullable ConfirmingPublisher publisher;
    private volatile boolean started;
    private volatile boolean stopped;

    RabbitMqEventBus(RabbitMqEventBusBuilder builder) {
        this.connector = new RabbitMqConnector(builder.connectionSettings());
        builder.recoveryCallbacks.forEach(connector::onRecovery);
        this.convention = new Convention(builder.organization, builder.service, builder.nameStyle);
        MessageRegistry registry = new MessageRegistry();
        builder.types.forEach(registry::register);
        registry.registerAll(builder.subscriptions);
        this.codec = builder.mapper == null ? new MessageCodec(registry) : new MessageCodec(registry, builder.mapper);
        EventBusObserver observer = EventBusObserver.composite(builder.observers);
        this.observer = observer;
        if (observer != EventBusObserver.NONE) {
            connector.onRecovery(recovery -> observer.connectionChanged(recovery.connectionName(),
                    EventBusObserver.ConnectionEvent.RECOVERED, recovery.lostBecause()));
        }
        this.publishing = new PublishPipeline(convention, codec, builder.validator, observer);
        this.delivering = stopping -> new DeliveryPipeline(codec, builder.validator, stopping, observer,
                builder.failureClassification);
        this.topologyOptions = new Topology.Options(builder.queueType, builder.deliveryLimit,
                builder.handlerQueueTtl == null ? null : (int) builder.handlerQueueTtl.toMillis(), builder.retryPolicy,
                builder.declareStore, (int) builder.storeRetryDelay.toMillis(),
                builder.storeQueueTtl == null ? null : (int) builder.storeQueueTtl.toMillis());
        this.maxInFlight = builder.maxInFlight;
        this.publisherChannels = builder.publisherChannels;
        this.publishTimeout = builder.publishTimeout;
        this.mandatory = builder.failOnUnroutable;
        this.metaHeaders = List.copyOf(builder.metaHeaders);
        this.consumers = new HandlerConsumers(convention, topologyOptions, builder.prefetch, builder.consumerThreads,
                builder.stopTimeout, connector.settings().connectionName(), observer);
        this.streams = new StreamConsumers(convention, builder.queueType, codec, () -> delivering.apply(() -> stopped),
                builder.stopTimeout);
        for (Subscription subscription : builder.subscriptions) {
            add(subscription);
        }
    }

    /** A builder; {@code organization} and {@code service} are required. */
    public static RabbitMqEventBusBuilder builder() {
        return new RabbitMqEventBusBuilder();
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
     * Whether the connections this bus has opened are up (false while automatic recovery reconnects them). A bus that
     * has opened none yet is not connected.
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

    /**
     * The queue subscriptions of this bus: those {@link RabbitMqAdmin#topology()} declares queues for. Stream
     * subscriptions read their service's stream instead ({@link RabbitMqAdmin#streamQueues()}).
     */
    public List<Subscription> subscriptions() {
        return consumers.subscriptions();
    }

    /** The administration view: configure, clear, deliver to one queue, dead letters, topology. */
    @Override
    public RabbitMqAdmin admin() {
        return admin;
    }

    // ---------------------------------------------------------------- publishing

    /**
     * Publishes and returns once the broker confirmed the message. A lost connection is waited out (and the message
     * published again) until {@code publishTimeout}.
     *
     * @throws dev.eventbus.core.InvalidMessageException  if the validator rejects it (nothing is sent)
     * @throws dev.eventbus.core.MessageEncodingException if the payload is not an event or command
     * @throws UnroutableMessageException                 if no queue is bound to its routing key
     * @throws PublishNotConfirmedException               if the broker did not confirm it
     * @throws PublishException                           if the connection stayed blocked by a broker alarm
     */
    @Override
    public void publish(Message<?> message) {
        Outgoing outgoing = prepare(message);
        EncodedMessage encoded = EncodedMessage.of(outgoing);
        PublishPipeline.Sent sent = sent(encoded);
        try {
            publisher().publish(encoded.exchange(), encoded.routingKey(), mandatory, properties(encoded,
                    outgoing.message().meta()), encoded.body(), encoded::describe);
        } catch (RuntimeException e) {
            sent.settled(e);
            throw e;
        }
        sent.settled(null);
    }

    /** The pipeline this bus checks, validates and encodes with. */
    @Override
    public PublishPipeline publishing() {
        return publishing;
    }

    /**
     * Sends a message {@link #publishing()} prepared earlier (e.g. stored in an outbox), as {@link #publishAsync} sends
     * one: the future completes with the broker's confirm, or fails.
     */
    @Override
    public CompletableFuture<Void> publishEncoded(EncodedMessage message) {
        return send(message, null);
    }

    /** Sends one message asynchronously; {@code meta} is its meta, or null to read it from the body if need be. */
    private CompletableFuture<Void> send(EncodedMessage message, java.util.@Nullable Map<String, Object> meta) {
        if (stopped) {
            return CompletableFuture.failedFuture(new EventBusStoppedException(message.describe()
                    + " was not published: the bus is stopped; build a new bus"));
        }
        return sent(message).track(publisher().publishAsync(message.exchange(), message.routingKey(), mandatory,
                properties(message, meta), message.body(), message::describe));
    }

    /**
     * Publishes every message in this order (so one consumer of a queue gets them in order), up to a quarter of
     * {@code maxInFlight} in flight at once, and returns once all are confirmed.
     *
     * @throws PublishException for the first that failed, with the others that failed as suppressed exceptions; the rest
     *                          were published. Messages unconfirmed because the connection dropped or another message's
     *                          channel error closed their channel are published again first, as {@link #publish(Message)}
     *                          does
     */
    @Override
    public void publish(List<?> payloadsOrMessages) {
        List<Message<?>> messages = payloadsOrMessages.stream().<Message<?>>map(EventPublisher::toMessage).toList();
        List<EncodedMessage> encoded = new ArrayList<>(messages.size());
        List<ConfirmingPublisher.Outbound> outbound = new ArrayList<>(messages.size());
        for (Message<?> message : messages) {
            Outgoing prepared = prepare(message);
            EncodedMessage one = EncodedMessage.of(prepared);
            encoded.add(one);
            outbound.add(new ConfirmingPublisher.Outbound(one.exchange(), one.routingKey(), mandatory,
                    properties(one, prepared.message().meta()), one.body(), one::describe));
        }
        // in chunks of a quarter of the in-flight bound, each confirmed before the next is sent: the slots a chunk
        // takes are freed before the next needs them, and one chunk follows the other in order
        int chunk = Math.max(1, maxInFlight / 4);
        List<CompletableFuture<Void>> confirms = new ArrayList<>(outbound.size());
        for (int from = 0; from < outbound.size(); from += chunk) {
            List<CompletableFuture<Void>> sent = publisher().publishInOrder(outbound.subList(from,
                    Math.min(outbound.size(), from + chunk)));
            confirms.addAll(sent);
            if (from + chunk < outbound.size()) {
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
            }
        }
        for (int i = 0; i < confirms.size(); i++) {
            sent(encoded.get(i)).track(confirms.get(i));
        }
        Confirms.awaitAll(confirms, i -> publish(messages.get(i)), i -> messages.get(i).describe());
    }

    /**
     * Publishes without waiting. The future completes when the broker confirmed the message, or fails with a
     * {@link PublishException}; it completes on the client's connection thread, so do not block in code chained on it
     * (use the {@code ...Async} methods of CompletableFuture with an executor of yours). One attempt: a message
     * unconfirmed when the connection drops fails with {@link PublishNotConfirmedException#connectionLost()}.
     *
     * @throws dev.eventbus.core.InvalidMessageException at once if the validator rejects it
     */
    @Override
    public CompletableFuture<Void> publishAsync(Message<?> message) {
        Outgoing outgoing = prepare(message);
        return send(EncodedMessage.of(outgoing), outgoing.message().meta());
    }

    /** The pipeline's report of a sent message, with unroutable returns told apart ({@link EventBusObserver#returned}). */
    private PublishPipeline.Sent sent(EncodedMessage message) {
        PublishPipeline.Sent sent = publishing.sent(message);
        if (sent == PublishPipeline.Sent.UNOBSERVED) {
            return sent;
        }
        return failure -> {
            if (failure instanceof UnroutableMessageException) {
                observer.returned(message, failure);
            } else {
                sent.settled(failure);
            }
        };
    }

    /** Tells the observers when the broker blocks or unblocks one of the bus's connections (a memory or disk alarm). */
    private Connection observed(Connection connection, String name) {
        if (observer != EventBusObserver.NONE) {
            connection.addBlockedListener(new com.rabbitmq.client.BlockedListener() {
                @Override
                public void handleBlocked(String reason) {
                    observer.connectionChanged(name, EventBusObserver.ConnectionEvent.BLOCKED, reason);
                }

                @Override
                public void handleUnblocked() {
                    observer.connectionChanged(name, EventBusObserver.ConnectionEvent.UNBLOCKED, null);
                }
            });
        }
        return connection;
    }

    /** Publishes the failure event of a dead-lettered message without waiting; logs if it is not confirmed. */
    private void publishFailure(dev.eventbus.core.MessageFailed event) {
        try {
            publishAsync(Message.of(event)).whenComplete((ok, failure) -> {
                if (failure != null) {
                    org.slf4j.LoggerFactory.getLogger(RabbitMqEventBus.class).warn("the failure event of message {} of handler "
                            + "{} was not published: {}", event.messageId(), event.handler(), failure.toString());
                }
            });
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(RabbitMqEventBus.class).warn("the failure event of message {} of handler {} was "
                    + "not published: {}", event.messageId(), event.handler(), e.toString());
        }
    }

    private Outgoing prepare(Message<?> message) {
        if (stopped) {
            throw new EventBusStoppedException(message.describe() + " was not published: the bus is stopped; build a new bus");
        }
        return publishing.prepare(message);
    }

    /**
     * No headers on originals (petisco consumers lose messages that carry any, see {@link Headers}), unless
     * {@code metaHeaders} names meta entries to copy. {@code meta} is the message's, or null to read it from the body.
     */
    private AMQP.BasicProperties properties(EncodedMessage message, java.util.@Nullable Map<String, Object> meta) {
        AMQP.BasicProperties.Builder properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .messageId(message.id())
                .timestamp(Date.from(message.occurredOn()))
                .type(message.name())
                .appId(convention.service());
        if (!metaHeaders.isEmpty()) {
            java.util.Map<String, Object> source = meta != null ? meta : codec.decodeEnvelope(message.body()).meta();
            java.util.Map<String, Object> headers = new java.util.LinkedHashMap<>();
            for (String key : metaHeaders) {
                Object value = source.get(key);
                if (value != null) {
                    headers.put(key, value.toString());
                }
            }
            if (!headers.isEmpty()) {
                properties.headers(headers);
            }
        }
        return properties.build();
    }

    // ---------------------------------------------------------------- consuming

    /** Adds a subscription to the consumers or, for a stream subscription, to the stream readers. */
    private void add(Subscription subscription) {
        if (subscription.isStream()) {
            streams.add(subscription, consumers.subscriptions().stream().map(Subscription::handlerName).toList());
        } else {
            consumers.add(subscription);
        }
    }

    @Override
    public void subscribe(Subscription subscription) {
        if (subscription.isStream()) {
            codec.registry().registerAll(List.of(subscription));
            synchronized (lifecycle) {
                add(subscription);
            }
            return;
        }
        if (streams.has(subscription.handlerName())) {
            throw new dev.eventbus.core.ConfigurationException("a stream handler named '" + subscription.handlerName()
                    + "' is already subscribed to this bus: handler names must be unique per service");
        }
        List<QueueConsumer> added = consumers.add(subscription);
        codec.registry().registerAll(List.of(subscription));
        synchronized (lifecycle) {
            if (started && !stopped) {
                consumers.startAdded(subscription, added);
            }
        }
    }

    /**
     * Starts consuming the queues of every subscription. The queues must exist: call {@code admin().configure()} first
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
            ConfirmingPublisher confirming = publisher();
            Connection consuming = observed(connector.open("consumer",
                    consumers.dispatchExecutor(!streams.subscriptions().isEmpty())), connectionName() + "-consumer");
            consumerConnection = consuming;
            consumers.start(consuming, (stopping, parking) -> new DeliverySettler(delivering.apply(stopping), confirming,
                    parking, this::publishFailure));
            streams.start(consuming);
            started = true;
        }
    }

    @Override
    public void pause(String handlerName) {
        if (streams.has(handlerName)) {
            streams.pause(handlerName);
            return;
        }
        consumers.pause(handlerName);
    }

    /** Declares the handler's queues (again, after {@code admin().clearHandler}; idempotent) and consumes them again. */
    @Override
    public void resume(String handlerName) {
        synchronized (lifecycle) {
            if (streams.has(handlerName)) {
                streams.resume(handlerName);
                return;
            }
            consumers.resume(handlerName);
        }
    }

    /**
     * The publisher and consumer connections (the publisher connection is opened if it is not yet, so a service that
     * only publishes reports whether it can reach the broker), and whether each handler is consuming. A handler whose
     * consumer the broker cancelled (its queue was deleted), or whose connection is down, is not healthy.
     */
    @Override
    public BusHealth health() {
        List<BusHealth.ConnectionStatus> connections = new ArrayList<>(2);
        String prefix = connectionName();
        if (!stopped) {
            try {
                publisherConnection();
            } catch (EventBusException e) {
                connections.add(new BusHealth.ConnectionStatus(prefix + "-publisher", false, e.getMessage()));
            }
        }
        Connection publishing = publisherConnection;
        if (publishing != null) {
            connections.add(status(prefix + "-publisher", publishing));
        }
        Connection consuming = consumerConnection;
        if (consuming != null) {
            connections.add(status(prefix + "-consumer", consuming));
        }
        List<HandlerStatus> handlers = new ArrayList<>(consumers.health());
        handlers.addAll(streams.health());
        return new BusHealth(connections, handlers);
    }

    private BusHealth.ConnectionStatus status(String name, Connection connection) {
        if (stopped) {
            return new BusHealth.ConnectionStatus(name, false, "the bus is stopped");
        }
        return connection.isOpen() ? new BusHealth.ConnectionStatus(name, true, null)
                : new BusHealth.ConnectionStatus(name, false, "the connection is down ("
                + (connection.getCloseReason() == null ? "closed" : PublisherChannel.describe(connection.getCloseReason()))
                + "); automatic recovery is trying to reconnect");
    }

    /**
     * Stops: consumers are cancelled so no new message starts, handlers that are running finish (up to
     * {@code stopTimeout}; then they are interrupted and their messages go back to their queues), messages received but
     * not started go back to their queues, then the connections close. Idempotent.
     */
    @Override
    public void stop() {
        synchronized (lifecycle) {
            if (stopped) {
                return;
            }
            streams.stop();
            consumers.stop();
            stopped = true;
            ConfirmingPublisher current = publisher;
            if (current != null) {
                current.close();
            }
            closeQuietly(consumerConnection);
            consumers.released();
            closeQuietly(publisherConnection);
            log.info("stopped the bus of {}", convention.mainExchange());
        }
    }

    // ---------------------------------------------------------------- for the admin view and the consumers

    boolean isStopped() {
        return stopped;
    }

    HandlerConsumers consumers() {
        return consumers;
    }

    StreamConsumers streams() {
        return streams;
    }

    Topology.Options topologyOptions() {
        return topologyOptions;
    }

    Connection publisherConnection() {
        synchronized (lifecycle) {
            if (stopped) {
                throw new EventBusStoppedException("this bus is stopped; build a new one");
            }
            Connection current = publisherConnection;
            if (current == null) {
                current = observed(connector.open("publisher"), connectionName() + "-publisher");
                publisherConnection = current;
            }
            return current;
        }
    }

    ConfirmingPublisher publisher() {
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

    private static void closeQuietly(@Nullable Connection connection) {
        if (connection != null && connection.isOpen()) {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                log.debug("closing a connection failed", e);
            }
        }
    }
}
