package dev.eventbus.rabbitmq.internal.consuming;

import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.internal.topology.RabbitMqConfigurer;

import com.rabbitmq.client.Connection;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consuming side of a {@link RabbitMqEventBus}: its subscriptions, one {@link QueueConsumer} per queue, the
 * handler threads, and the restoring of consumers the broker took away.
 *
 * <p>Thread-safe. Starting, resuming, restoring and stopping are guarded by {@code this}; the bus calls in while
 * holding its own lifecycle lock (that order only). The maintenance thread restores consumers holding only
 * {@code this}, over the consumer connection, so it never waits for the bus, and never for the publishing connection,
 * which the broker blocks during an alarm: everything consuming needs is declared over the consumer connection.
 */
public final class HandlerConsumers {

    private static final Logger log = LoggerFactory.getLogger(HandlerConsumers.class);

    private final Convention convention;
    private final Topology.Options topologyOptions;
    private final int prefetch;
    private final int threads;
    private final Duration stopTimeout;
    private final String name;
    private final EventBusObserver observer;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<QueueConsumer> consumers = new CopyOnWriteArrayList<>();

    private Connection connection;
    private ExecutorService handlerThreads;
    /**
     * The bus's one handler thread when handlers run on the consumer connection's dispatch thread
     * ({@link #dispatchExecutor}), else null.
     */
    private volatile @org.jspecify.annotations.Nullable DispatchThread inline;
    /** The threads of subscriptions with a concurrency of their own, by handler; guarded by itself. */
    private final java.util.Map<String, ExecutorService> ownThreads = new java.util.HashMap<>();
    private volatile ScheduledExecutorService maintenance;
    private volatile DeliverySettler settler;
    private volatile boolean running;
    private volatile boolean stopping;

    /**
     * @param name the bus's connection name, for thread names
     */
    public HandlerConsumers(Convention convention, Topology.Options topologyOptions, int prefetch, int threads, Duration stopTimeout,
                     String name) {
        this(convention, topologyOptions, prefetch, threads, stopTimeout, name, EventBusObserver.NONE);
    }

    /**
     * @param name     the bus's connection name, for thread names
     * @param observer told when a consumer is paused, fails, or consumes again
     */
    public HandlerConsumers(Convention convention, Topology.Options topologyOptions, int prefetch, int threads, Duration stopTimeout,
                     String name, EventBusObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        this.convention = convention;
        this.topologyOptions = topologyOptions;
        this.prefetch = prefetch;
        this.threads = threads;
        this.stopTimeout = stopTimeout;
        this.name = name;
    }

    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions);
    }

    /** The subscription of a handler. @throws ConfigurationException naming the known handlers if there is none */
    public Subscription subscription(String handlerName) {
        return subscriptions.stream().filter(s -> s.handlerName().equals(handlerName)).findFirst()
                .orElseThrow(() -> unknownHandler(handlerName));
    }

    /**
     * Adds a subscription and its consumers (one per queue), not yet consuming.
     *
     * @throws ConfigurationException if a handler of that name is subscribed already
     */
    public List<QueueConsumer> add(Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        for (Subscription existing : subscriptions) {
            if (existing.handlerName().equals(subscription.handlerName())) {
                throw new ConfigurationException("a handler named '" + subscription.handlerName()
                        + "' is already subscribed to this bus: handler names must be unique per service");
            }
        }
        subscriptions.add(subscription);
        RetryPolicy policy = subscription.retryPolicyOr(topologyOptions.defaultRetry());
        if (subscription.isStore()) {
            // the store's retry delay is the shared retry.store queue's TTL, whatever the subscription's policy says
            policy = RetryPolicy.of(policy.maxRetries(), Duration.ofMillis(topologyOptions.storeRetryDelay()));
        }
        if (subscription.isLive() && !subscription.isLiveWithRetries()) {
            policy = RetryPolicy.none(); // no retry queue: a failure is settled at once (DeliverySettler drops it)
        }
        RetryPolicy livePolicy = policy;
        List<QueueConsumer> added = new ArrayList<>();
        for (Endpoint endpoint : convention.endpoints(subscription)) {
            QueueRoutes routes = endpoint.isStore() ? QueueRoutes.forStore(convention)
                    : QueueRoutes.forHandlerQueue(convention, endpoint.queue());
            java.util.concurrent.Executor executor = subscription.concurrency().isPresent()
                    ? task -> ownThreads(subscription).execute(task) : this::runHandler;
            added.add(new QueueConsumer(endpoint, routes, policy, () -> settler, executor, this::restoreLater, this::suspend,
                    observer, () -> maintenance,
                    subscription.isLive() ? LiveQueue.of(convention, endpoint, livePolicy) : null));
        }
        consumers.addAll(added);
        return added;
    }

    /**
     * Runs a delivery's handling: on the calling dispatch thread when handlers run inline, else on a handler thread.
     *
     * @throws RejectedExecutionException once the bus is stopping (the caller puts the message back)
     */
    private void runHandler(Runnable task) {
        DispatchThread dispatch = inline;
        if (dispatch == null) {
            handlerThreads.execute(task);
        } else {
            dispatch.run(task, () -> stopping);
        }
    }

    /**
     * The executor the consumer connection must dispatch on, or null for the client's own pool. With one handler thread
     * ({@code consumerThreads(1)}), no subscription of a concurrency or an ordering of its own and no stream subscription
     * ({@code streams}), handing each delivery from the client's dispatch thread to the one handler thread buys nothing:
     * the handler thread becomes the connection's dispatch thread and handlers run where the delivery arrives. Still one
     * handler at a time for the whole bus, as before; a subscription added later with a concurrency of its own hands its
     * deliveries on from this thread. Call once, before {@link #start}.
     */
    public synchronized @org.jspecify.annotations.Nullable ExecutorService dispatchExecutor(boolean streams) {
        boolean plain = subscriptions.stream().allMatch(s -> s.concurrency().isEmpty() && s.orderingKey().isEmpty());
        if (threads != 1 || streams || !plain) {
            return null;
        }
        DispatchThread dispatch = new DispatchThread("eventbus-handler-" + name + "-1");
        inline = dispatch;
        return dispatch.executor();
    }

    /**
     * Starts the handler threads and every consumer.
     *
     * @param consumerConnection the connection to consume on, and to declare topology on when restoring
     * @param settlers           makes the delivery settler, given whether the consumers are stopping and the executor
     *                           of settlements parked during a broker alarm
     */
    public synchronized void start(Connection consumerConnection, java.util.function.BiFunction<BooleanSupplier,
            java.util.concurrent.Executor, DeliverySettler> settlers) {
        connection = consumerConnection;
        if (inline == null) {
            AtomicInteger count = new AtomicInteger();
            handlerThreads = Executors.newFixedThreadPool(threads,
                    runnable -> new Thread(runnable, "eventbus-handler-" + name + "-" + count.incrementAndGet()));
        }
        maintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "eventbus-maintenance-" + name);
            thread.setDaemon(true);
            return thread;
        });
        settler = settlers.apply(() -> stopping, maintenance);
        running = true;
        for (QueueConsumer consumer : consumers) {
            consumer.start(connection, prefetchOf(consumer));
        }
        log.info("started {} consumers for {} with {} handler threads{}, prefetch {}", consumers.size(),
                convention.mainExchange(), threads, inline != null ? " (the consumer connection's dispatch thread)" : "", prefetch);
    }

    /**
     * The threads of a handler with a concurrency of its own: as many as its concurrency, made when deliveries come and
     * ended after 30 s idle, so a quiet handler holds none. Rejects tasks once the bus stopped.
     */
    private ExecutorService ownThreads(Subscription subscription) {
        synchronized (ownThreads) {
            return ownThreads.computeIfAbsent(subscription.handlerName(), handler -> {
                int size = subscription.concurrency().orElseThrow();
                AtomicInteger count = new AtomicInteger();
                java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(size, size, 30,
                        TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                        runnable -> new Thread(runnable, "eventbus-handler-" + name + "-" + handler + "-" + count.incrementAndGet()));
                pool.allowCoreThreadTimeOut(true);
                if (stopping) {
                    pool.shutdown();
                }
                return pool;
            });
        }
    }

    /**
     * A consumer's prefetch: the bus's, raised to twice its handler's concurrency so every thread has a delivery waiting
     * while the previous one is acknowledged.
     */
    private int prefetchOf(QueueConsumer consumer) {
        java.util.OptionalInt concurrency = consumer.endpoint().subscription().concurrency();
        return concurrency.isPresent() ? Math.max(prefetch, 2 * concurrency.getAsInt()) : prefetch;
    }

    /** Declares a subscription added while running and starts its consumers; nothing if not running. */
    public synchronized void startAdded(Subscription subscription, List<QueueConsumer> added) {
        if (!running || stopping) {
            return;
        }
        declare(subscription);
        added.forEach(consumer -> consumer.start(connection, prefetchOf(consumer)));
    }

    /**
     * Whether a handler (or, with null, any handler) is consuming: the bus runs and it is not paused. A handler suspended
     * by its kill switch counts as consuming: it consumes again by itself after the cool-down.
     */
    public boolean consuming(String handlerName) {
        return consumers.stream().anyMatch(consumer -> (handlerName == null || consumer.handlerName().equals(handlerName))
                && consumer.status().state() != HandlerStatus.State.PAUSED && consumer.status().state() != HandlerStatus.State.STOPPED
                && consumer.status().state() != HandlerStatus.State.IDLE);
    }

    /** Stops a handler's consumers; its messages wait in its queues. */
    public void pause(String handlerName) {
        consumersOf(handlerName).forEach(consumer -> consumer.pause(HandlerStatus.State.PAUSED));
        log.info("handler {} paused", handlerName);
    }

    /** Declares a paused handler's queues (again, if they were cleared; idempotent) and consumes them again. */
    public synchronized void resume(String handlerName) {
        List<QueueConsumer> matching = consumersOf(handlerName);
        if (!running || stopping) {
            throw new EventBusException("cannot resume handler " + handlerName + ": the bus is not running (call start())");
        }
        declare(subscription(handlerName));
        matching.forEach(consumer -> consumer.start(connection, prefetchOf(consumer)));
    }

    /**
     * A handler's kill switch tripped: its consumers stop for the cool-down (their messages wait in the queues), then
     * consume again with the circuit half-open. Called on a handler thread; the resume runs on the maintenance thread.
     */
    private void suspend(QueueConsumer tripped) {
        String handler = tripped.handlerName();
        DeliverySettler current = settler;
        dev.eventbus.core.pipeline.HandlerCircuit circuit = current == null ? null : current.circuit(handler).orElse(null);
        if (circuit == null) {
            return;
        }
        String why = circuit.describe();
        boolean suspended = false;
        for (QueueConsumer consumer : consumersOf(handler)) {
            suspended |= consumer.suspend(why);
        }
        if (!suspended) {
            return; // suspended already (another delivery tripped it), paused, or stopping
        }
        log.warn("handler {} suspended: {}; its messages wait in the queue", handler, why);
        ScheduledExecutorService scheduler = maintenance;
        try {
            scheduler.schedule(() -> resumeAfterCoolDown(handler, circuit), circuit.settings().coolDown().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | NullPointerException stopping) {
            log.debug("not resuming handler {}: the bus is stopping", handler);
        }
    }

    private synchronized void resumeAfterCoolDown(String handler, dev.eventbus.core.pipeline.HandlerCircuit circuit) {
        if (!running || stopping) {
            return;
        }
        circuit.halfOpen();
        for (QueueConsumer consumer : consumersOf(handler)) {
            if (consumer.isSuspended()) {
                try {
                    consumer.startHalfOpen(connection, prefetchOf(consumer));
                } catch (EventBusException e) {
                    log.error("handler {}: could not consume again after its kill switch's cool-down: {}", handler, e.getMessage());
                    restoreLater(consumer);
                }
            }
        }
        log.info("handler {} consumes again after its kill switch's cool-down (half-open: the next attempt decides)", handler);
    }

    /** Whether each handler is consuming; a consumer on a connection that is down is not. */
    public List<HandlerStatus> health() {
        Connection current = connection;
        boolean connected = current != null && current.isOpen();
        return consumers.stream().map(QueueConsumer::status).map(status -> connected || status.state() != HandlerStatus.State.CONSUMING
                ? status : new HandlerStatus(status.handler(), status.queue(), HandlerStatus.State.FAILED,
                "the consumer connection is down; automatic recovery is trying to reconnect")).toList();
    }

    /**
     * Cancels every consumer so no new message starts, lets running handlers finish (up to the stop timeout), then
     * closes the consumers' channels: what was received but not handled goes back to the queues.
     */
    public void stop() {
        stopping = true;
        consumers.forEach(consumer -> consumer.pause(HandlerStatus.State.STOPPED));
        synchronized (this) {
            if (maintenance != null) {
                maintenance.shutdownNow();
            }
            List<ExecutorService> own;
            synchronized (ownThreads) {
                own = List.copyOf(ownThreads.values());
                ownThreads.clear();
            }
            own.forEach(ExecutorService::shutdown);
            DispatchThread dispatch = inline;
            if (dispatch != null) {
                dispatch.awaitIdle(stopTimeout);
            } else if (handlerThreads != null) {
                awaitHandlers(handlerThreads);
            }
            own.forEach(this::awaitHandlers);
            consumers.forEach(QueueConsumer::close);
            running = false;
        }
    }

    /**
     * Ends the inline handler thread, after the consumer connection closed (nothing is dispatched on it any more).
     * Nothing when handlers ran on threads of their own (stopped by {@link #stop}).
     */
    public void released() {
        DispatchThread dispatch = inline;
        if (dispatch != null) {
            dispatch.shutdown();
        }
    }

    /** Lets running handlers finish (up to the stop timeout), then interrupts them. */
    private void awaitHandlers(ExecutorService handlerThreads) {
        handlerThreads.shutdown();
        try {
            if (!handlerThreads.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("handlers still running after the stop timeout of {} ms: interrupting them; their messages "
                        + "go back to their queues, not retried and not dead-lettered", stopTimeout.toMillis());
                handlerThreads.shutdownNow();
                // let the interrupted handlers settle (put their messages back) before the channels close
                if (!handlerThreads.awaitTermination(Math.max(1000, stopTimeout.toMillis()), TimeUnit.MILLISECONDS)) {
                    log.warn("handlers ignored the interrupt; closing their channels: the broker puts their "
                            + "unacknowledged messages back in the queues");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handlerThreads.shutdownNow();
        }
    }

    /**
     * A consumer the broker cancelled (its queue was deleted), or whose channel a channel error closed, is restored:
     * its subscription's topology is declared again and it consumes again (on a new channel if need be), retried with
     * a growing pause (up to 30 s) while the bus runs. On the maintenance thread, never the client's.
     */
    private void restoreLater(QueueConsumer consumer) {
        scheduleRestore(consumer, 0);
    }

    private void scheduleRestore(QueueConsumer consumer, int attempt) {
        long delayMillis = Math.min(30_000, 200L << Math.min(attempt, 8));
        ScheduledExecutorService scheduler = maintenance;
        if (stopping || scheduler == null) {
            return;
        }
        try {
            scheduler.schedule(() -> restore(consumer, attempt), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("not restoring {}: the bus is stopping", consumer.queue());
        }
    }

    private void restore(QueueConsumer consumer, int attempt) {
        synchronized (this) {
            if (stopping || !consumer.isFailed()) {
                return;
            }
            try {
                declare(consumer.endpoint().subscription());
                consumer.start(connection, prefetchOf(consumer));
                log.warn("handler {}: lost its consumer of queue {}; declared the queue again and resumed consuming",
                        consumer.handlerName(), consumer.queue());
                return;
            } catch (EventBusException e) {
                consumer.failed("queue '" + consumer.queue() + "' is gone and could not be declared again: " + e.getMessage());
                log.error("handler {}: could not restore queue {} (attempt {}): {}", consumer.handlerName(),
                        consumer.queue(), attempt + 1, e.getMessage());
            }
        }
        scheduleRestore(consumer, attempt + 1);
    }

    /** The exchanges, queues and bindings of one subscription. */
    public Topology topologyOf(Subscription subscription) {
        return Topology.plan(convention, List.of(subscription), topologyOptions);
    }

    /** Declares one subscription's topology over the connection given at start. Caller holds {@code this}. */
    private void declare(Subscription subscription) {
        new RabbitMqConfigurer(connection).declare(topologyOf(subscription));
    }

    private List<QueueConsumer> consumersOf(String handlerName) {
        List<QueueConsumer> matching = consumers.stream().filter(c -> c.handlerName().equals(handlerName)).toList();
        if (matching.isEmpty()) {
            throw unknownHandler(handlerName);
        }
        return matching;
    }

    private ConfigurationException unknownHandler(String handlerName) {
        return new ConfigurationException("no handler named '" + handlerName + "' is subscribed to this bus; known: "
                + subscriptions.stream().map(Subscription::handlerName).toList());
    }
}
