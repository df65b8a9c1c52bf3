package dev.eventbus.rabbitmq.internal.streams;

import com.rabbitmq.client.Connection;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.Subscription;
import dev.eventbus.core.pipeline.DeliveryPipeline;
import dev.eventbus.rabbitmq.QueueType;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The stream subscriptions of a {@code RabbitMqEventBus}, one {@link StreamConsumer} each: declared with
 * {@link #declare}, read while the bus runs. Thread-safe: the list is copy-on-write, starting and stopping are guarded
 * by {@code this}.
 */
public final class StreamConsumers {

    private final StreamTopology topology;
    private final MessageCodec codec;
    private final Supplier<DeliveryPipeline> pipelines;
    private final java.time.Duration stopTimeout;
    private final List<StreamConsumer> consumers = new CopyOnWriteArrayList<>();
    private @Nullable Connection connection;

    /**
     * @param convention the bus's convention
     * @param queueType  the bus's queue type (for the dead-letter queues)
     * @param codec      the bus's codec
     * @param pipelines  makes the delivery pipeline of a consumer
     * @param stopTimeout how long stopping waits for an event being handled
     */
    public StreamConsumers(Convention convention, QueueType queueType, MessageCodec codec, Supplier<DeliveryPipeline> pipelines,
                           java.time.Duration stopTimeout) {
        this.stopTimeout = stopTimeout;
        this.topology = new StreamTopology(convention, queueType);
        this.codec = codec;
        this.pipelines = pipelines;
    }

    /** The stream subscriptions. */
    public List<Subscription> subscriptions() {
        return consumers.stream().map(StreamConsumer::subscription).toList();
    }

    /** Whether a handler of that name is a stream handler here. */
    public boolean has(String handlerName) {
        return consumers.stream().anyMatch(consumer -> consumer.handlerName().equals(handlerName));
    }

    /**
     * Adds a stream subscription; starts it at once if the bus runs (declaring its stream first).
     *
     * @param others the bus's other handler names, which must differ
     * @throws ConfigurationException if a handler of that name is subscribed already
     */
    public synchronized void add(Subscription subscription, List<String> others) {
        Objects.requireNonNull(subscription, "subscription");
        if (others.contains(subscription.handlerName()) || has(subscription.handlerName())) {
            throw new ConfigurationException("a handler named '" + subscription.handlerName()
                    + "' is already subscribed to this bus: handler names must be unique per service");
        }
        StreamConsumer consumer = new StreamConsumer(subscription, topology.stream(subscription),
                topology.deadLetterQueue(subscription), codec, pipelines.get(),
                stopTimeout);
        consumers.add(consumer);
        if (connection != null) {
            topology.declare(connection, subscription);
            consumer.start(connection);
        }
    }

    /** Declares every stream subscription's stream, bindings and dead-letter queue over this connection. */
    public void declare(Connection over) {
        consumers.forEach(consumer -> topology.declare(over, consumer.subscription()));
    }

    /** Starts every stream consumer on the bus's consumer connection. */
    public synchronized void start(Connection consumerConnection) {
        connection = consumerConnection;
        consumers.forEach(consumer -> consumer.start(consumerConnection));
    }

    /** Stops one handler's reading, storing its offset; {@link #resume} reads on from it. */
    public synchronized void pause(String handlerName) {
        consumerOf(handlerName).stop(HandlerStatus.State.PAUSED);
    }

    /** Reads a paused handler's stream again from its stored offset. */
    public synchronized void resume(String handlerName) {
        if (connection != null) {
            consumerOf(handlerName).start(connection);
        }
    }

    /** The streams read and the stream handlers' dead-letter queues, each once. */
    public List<String> queues() {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (StreamConsumer consumer : consumers) {
            names.add(topology.stream(consumer.subscription()));
            names.add(topology.deadLetterQueue(consumer.subscription()));
        }
        return List.copyOf(names);
    }

    /** Each stream handler's status. */
    public List<HandlerStatus> health() {
        return consumers.stream().map(StreamConsumer::status).toList();
    }

    /** Stops every consumer, each after the event it is handling, storing their offsets. */
    public synchronized void stop() {
        consumers.forEach(consumer -> consumer.stop(HandlerStatus.State.STOPPED));
        connection = null;
    }

    /** The topology of stream subscriptions (names). */
    public StreamTopology topology() {
        return topology;
    }

    private StreamConsumer consumerOf(String handlerName) {
        return consumers.stream().filter(consumer -> consumer.handlerName().equals(handlerName)).findFirst()
                .orElseThrow(() -> new ConfigurationException("no stream handler named '" + handlerName + "'"));
    }
}
