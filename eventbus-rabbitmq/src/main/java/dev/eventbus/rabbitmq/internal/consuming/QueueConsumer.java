package dev.eventbus.rabbitmq.internal.consuming;

import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.internal.publishing.PublisherChannel;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.RetryPolicy;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import dev.eventbus.core.pipeline.OrderedLanes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue ({@link Endpoint}) for one handler: a channel of its own with its prefetch, deliveries handed to
 * its handler threads (the bus's, or the subscription's own with a concurrency), where the {@link DeliverySettler} runs
 * the pipeline and settles them; those of an ordered subscription through {@link OrderedLanes}, one at a time per key.
 * {@code channel} and the consumer tag are guarded by {@code this}; {@code state} and {@code detail} are volatile.
 */
public final class QueueConsumer {

    private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

    private final Endpoint endpoint;
    private final QueueRoutes routes;
    private final RetryPolicy retryPolicy;
    private final Supplier<DeliverySettler> settler;
    private final Executor handlerThreads;
    private final java.util.function.Consumer<QueueConsumer> onConsumerLost;
    private final EventBusObserver observer;
    private final java.util.function.Consumer<QueueConsumer> onKillSwitch;
    private final dev.eventbus.core.@Nullable OrderingKey ordering;
    private final @Nullable OrderedLanes lanes;
    private final Supplier<java.util.concurrent.ScheduledExecutorService> timer;
    private final @Nullable LiveQueue live;
    private Channel channel;
    private String consumerTag;
    private volatile HandlerStatus.State state = HandlerStatus.State.IDLE;
    /** Consuming with a prefetch of 1 after a kill switch's cool-down, until a success closes it. */
    private volatile boolean halfOpen;
    private int prefetch;
    private volatile String detail;

    public QueueConsumer(Endpoint endpoint, QueueRoutes routes, RetryPolicy retryPolicy, Supplier<DeliverySettler> settler,
                  Executor handlerThreads, java.util.function.Consumer<QueueConsumer> onConsumerLost,
                  java.util.function.Consumer<QueueConsumer> onKillSwitch) {
        this(endpoint, routes, retryPolicy, settler, handlerThreads, onConsumerLost, onKillSwitch, EventBusObserver.NONE);
    }

    /** A consumer that reports each change of its state to the observer ({@link EventBusObserver#consumerChanged}). */
    public QueueConsumer(Endpoint endpoint, QueueRoutes routes, RetryPolicy retryPolicy, Supplier<DeliverySettler> settler,
                  Executor handlerThreads, java.util.function.Consumer<QueueConsumer> onConsumerLost,
                  java.util.function.Consumer<QueueConsumer> onKillSwitch, EventBusObserver observer) {
        this(endpoint, routes, retryPolicy, settler, handlerThreads, onConsumerLost, onKillSwitch, observer, () -> null);
    }

    /**
     * A consumer whose ordered deliveries ({@link dev.eventbus.core.Subscription#orderedBy}) run on key lanes over its
     * handler threads, their in-place retries waiting on the timer.
     */
    public QueueConsumer(Endpoint endpoint, QueueRoutes routes, RetryPolicy retryPolicy, Supplier<DeliverySettler> settler,
                  Executor handlerThreads, java.util.function.Consumer<QueueConsumer> onConsumerLost,
                  java.util.function.Consumer<QueueConsumer> onKillSwitch, EventBusObserver observer,
                  Supplier<java.util.concurrent.ScheduledExecutorService> timer) {
        this(endpoint, routes, retryPolicy, settler, handlerThreads, onConsumerLost, onKillSwitch, observer, timer,
                endpoint.subscription().isLive() ? new LiveQueue(endpoint.queue(), endpoint.bindings(), null) : null);
    }

    /** A consumer that declares its live queues ({@link LiveQueue}) before it consumes; null for a durable queue. */
    public QueueConsumer(Endpoint endpoint, QueueRoutes routes, RetryPolicy retryPolicy, Supplier<DeliverySettler> settler,
                  Executor handlerThreads, java.util.function.Consumer<QueueConsumer> onConsumerLost,
                  java.util.function.Consumer<QueueConsumer> onKillSwitch, EventBusObserver observer,
                  Supplier<java.util.concurrent.ScheduledExecutorService> timer, @Nullable LiveQueue live) {
        this.live = live;
        this.timer = timer;
        this.ordering = endpoint.subscription().orderingKey().orElse(null);
        this.lanes = ordering == null ? null : new OrderedLanes(handlerThreads);
        this.observer = observer;
        this.onKillSwitch = onKillSwitch;
        this.endpoint = endpoint;
        this.routes = routes;
        this.retryPolicy = retryPolicy;
        this.settler = settler;
        this.handlerThreads = handlerThreads;
        this.onConsumerLost = onConsumerLost;
    }

    public String queue() {
        return routes.queue();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public QueueRoutes routes() {
        return routes;
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public String handlerName() {
        return endpoint.handlerName();
    }

    /** Opens the channel (once) and registers the consumer. */
    public synchronized void start(Connection connection, int prefetch) {
        this.prefetch = prefetch;
        halfOpen = false;
        consume(connection, prefetch);
    }

    /**
     * Consumes again after a kill switch's cool-down with a prefetch of 1: one trial delivery decides, instead of a
     * prefetch's worth failing and going back at once.
     */
    public synchronized void startHalfOpen(Connection connection, int prefetch) {
        this.prefetch = prefetch;
        halfOpen = true; // first: the trial delivery may be settled before basicConsume returns
        consume(connection, 1);
    }

    public boolean isHalfOpen() {
        return halfOpen;
    }

    /** The kill switch closed: consume with the bus's prefetch again (a prefetch applies to consumers registered after it). */
    public synchronized void consumeAtFullPrefetch() {
        if (!halfOpen || state != HandlerStatus.State.CONSUMING || channel == null || !channel.isOpen()) {
            return;
        }
        halfOpen = false;
        try {
            if (consumerTag != null) {
                channel.basicCancel(consumerTag);
            }
            channel.basicQos(prefetch);
            consumerTag = channel.basicConsume(queue(), false, new Delivery(channel));
            log.info("handler {}: kill switch closed, consuming queue {} with prefetch {} again", endpoint.handlerName(), queue(),
                    prefetch);
        } catch (IOException | ShutdownSignalException e) {
            log.warn("handler {}: could not consume queue {} at full prefetch again: {}", endpoint.handlerName(), queue(),
                    e.toString());
        }
    }

    private void consume(Connection connection, int qos) {
        try {
            // a channel closed while its connection is up was closed by a channel error, which automatic recovery
            // never repairs (it reopens channels only after a connection failure): take a new one
            if (channel == null || !channel.isOpen()) {
                channel = connection.createChannel();
            }
            if (live != null) {
                live.declare(channel, endpoint.handlerName());
            }
            channel.basicQos(qos);
            // consuming before basic.consume: a delivery may reach a handler thread before basicConsume returns, and one
            // that finds the consumer not consuming goes back to the queue, out of order
            changeTo(HandlerStatus.State.CONSUMING, null);
            consumerTag = channel.basicConsume(queue(), false, new Delivery(channel));
            log.info("handler {} consuming queue {}", endpoint.handlerName(), queue());
        } catch (IOException e) {
            changeTo(HandlerStatus.State.FAILED,
                    e.getCause() instanceof ShutdownSignalException s ? PublisherChannel.describe(s) : e.getMessage());
            channel = null;
            throw new EventBusException("handler " + endpoint.handlerName() + " cannot consume queue '" + queue() + "': "
                    + detail + ". Run the configurer (bus.configure()) so the queue exists", e);
        }
    }

    /** Stops receiving messages (unacknowledged ones go back to the queue when not handled). */
    public synchronized void pause(HandlerStatus.State newState) {
        HandlerStatus.State previous = state;
        changeTo(newState, detail);
        if (previous == HandlerStatus.State.CONSUMING && consumerTag != null && channel != null && channel.isOpen()) {
            try {
                channel.basicCancel(consumerTag);
            } catch (IOException | ShutdownSignalException e) {
                log.debug("cancelling consumer of {} failed", queue(), e);
            }
        }
        consumerTag = null;
    }

    /** Closes the channel: messages received but not acknowledged return to the queue. */
    public synchronized void close() {
        changeTo(HandlerStatus.State.STOPPED, detail);
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | java.util.concurrent.TimeoutException | ShutdownSignalException e) {
                log.debug("closing channel of {} failed", queue(), e);
            }
        }
    }

    public HandlerStatus status() {
        return new HandlerStatus(endpoint.handlerName(), queue(), state, detail);
    }

    /** The handler's kill switch tripped on a delivery of this queue: the bus suspends the handler's consumers. */
    public void killSwitchTripped() {
        onKillSwitch.accept(this);
    }

    /** Stops consuming for a kill switch's cool-down, saying why; nothing unless consuming. */
    public synchronized boolean suspend(String why) {
        if (state != HandlerStatus.State.CONSUMING) {
            return false;
        }
        detail = why; // first: health reads state and detail apart, and must not see SUSPENDED without why
        pause(HandlerStatus.State.SUSPENDED);
        return true;
    }

    public boolean isSuspended() {
        return state == HandlerStatus.State.SUSPENDED;
    }

    /** Records why the consumer cannot consume (while the bus tries to restore it). */
    public void failed(String why) {
        changeTo(HandlerStatus.State.FAILED, why);
    }

    /** Sets the state and tells the observer when it changed (a failure again with another detail is not a change). */
    private void changeTo(HandlerStatus.State newState, String why) {
        HandlerStatus.State previous = state;
        state = newState;
        detail = why;
        if (previous != newState) {
            observer.consumerChanged(endpoint.handlerName(), queue(), newState, why);
        }
    }

    public boolean isFailed() {
        return state == HandlerStatus.State.FAILED;
    }

    public boolean isConsuming() {
        return state == HandlerStatus.State.CONSUMING;
    }

    private final class Delivery extends DefaultConsumer {

        /** This channel's settlements: delivery tags belong to the channel that delivered. */
        private final ChannelSettlements deliveryChannel;

        Delivery(Channel channel) {
            super(channel);
            deliveryChannel = new ChannelSettlements(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            if (lanes != null) {
                DeliverySettler current = settler.get();
                lanes.submit(ordering.keyOf(body, current.codec()), new OrderedLanes.Task() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> run() {
                        return current.processOrdered(QueueConsumer.this, deliveryChannel, envelope, properties, body,
                                handlerThreads, timer.get());
                    }

                    @Override
                    public void reject() {
                        deliveryChannel.requeue(envelope.getDeliveryTag()); // stopping
                    }
                });
                return;
            }
            try {
                handlerThreads.execute(() -> settler.get().process(QueueConsumer.this, deliveryChannel, envelope, properties, body));
            } catch (RejectedExecutionException e) {
                // the bus is stopping: leave it to the broker to redeliver
                deliveryChannel.requeue(envelope.getDeliveryTag());
            }
        }

        @Override
        public void handleCancel(String tag) {
            changeTo(HandlerStatus.State.FAILED, "the broker cancelled the consumer: queue '" + queue()
                    + "' was deleted or became unavailable");
            log.error("handler {} stopped consuming: {}", endpoint.handlerName(), detail);
            onConsumerLost.accept(QueueConsumer.this);
        }

        @Override
        public void handleShutdownSignal(String tag, ShutdownSignalException signal) {
            if (!signal.isInitiatedByApplication() && state == HandlerStatus.State.CONSUMING && !signal.isHardError()) {
                changeTo(HandlerStatus.State.FAILED, PublisherChannel.describe(signal));
                log.error("handler {} stopped consuming queue {}: {}", endpoint.handlerName(), queue(), detail);
                onConsumerLost.accept(QueueConsumer.this);
            }
        }
    }
}
