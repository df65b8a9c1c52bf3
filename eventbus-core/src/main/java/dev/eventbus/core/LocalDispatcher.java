package dev.eventbus.core;

import dev.eventbus.core.pipeline.DeliveryPipeline;
import dev.eventbus.core.pipeline.IncomingDelivery;
import dev.eventbus.core.pipeline.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the deliveries of one {@link InMemoryEventBus}: its handler threads, its retry scheduler, and the counts of
 * deliveries queued, running and waiting for a retry. Each delivery goes through the {@link DeliveryPipeline}; this
 * class carries out its {@link Outcome} (retry later, keep the dead letter, or drop what stop() interrupted).
 *
 * <p>Guarded by the bus's lock ({@link #lock}): methods ending in {@code Locked} need it held; {@link #awaitIdle},
 * {@link #shutdown} and the handler and retry threads take it themselves.
 */
final class LocalDispatcher {

    private static final Logger log = LoggerFactory.getLogger(InMemoryEventBus.class);

    final ReentrantLock lock = new ReentrantLock();
    /** Signalled when queued, running and scheduled all reach 0. */
    private final Condition idle = lock.newCondition();
    private final DeliveryPipeline pipeline;
    private final String threadPrefix;
    private final Duration stopTimeout;
    /** Whether a queue's handler takes deliveries now (bus started, handler not paused). Called holding the lock. */
    private final Predicate<LocalQueue> deliversNow;
    /** Suspends a handler whose kill switch tripped; returns its resume task, or null if suspended already. Holds the lock. */
    private final java.util.function.BiFunction<String, String, Runnable> suspend;
    private final ThreadLocal<Boolean> onHandlerThread = ThreadLocal.withInitial(() -> Boolean.FALSE);
    // guarded by lock
    private ExecutorService handlers;
    /** The handler threads of subscriptions with a concurrency of their own, by handler name. */
    private final java.util.Map<String, ExecutorService> ownHandlers = new java.util.HashMap<>();
    /** The key lanes of ordered queues. */
    private final java.util.Map<LocalQueue, dev.eventbus.core.pipeline.OrderedLanes> lanes = new java.util.IdentityHashMap<>();
    private ScheduledExecutorService retries;
    private boolean stopped;
    private int queued;
    private int running;
    private int scheduled;

    LocalDispatcher(DeliveryPipeline pipeline, String threadPrefix, Duration stopTimeout, Predicate<LocalQueue> deliversNow,
                    java.util.function.BiFunction<String, String, Runnable> suspend) {
        this.pipeline = pipeline;
        this.suspend = suspend;
        this.threadPrefix = threadPrefix;
        this.stopTimeout = stopTimeout;
        this.deliversNow = deliversNow;
    }

    DeliveryPipeline pipeline() {
        return pipeline;
    }

    void startLocked(int handlerThreads) {
        handlers = Executors.newFixedThreadPool(handlerThreads, threads("handler"));
        retries = Executors.newSingleThreadScheduledExecutor(threads("retry"));
    }

    /** Hands a delivery to the handler threads, or holds it in its queue while its handler cannot take it. */
    void dispatchLocked(LocalDelivery delivery) {
        if (stopped) {
            return;
        }
        if (!deliversNow.test(delivery.queue())) {
            delivery.queue().hold(delivery);
            return;
        }
        queued++;
        LocalQueue queue = delivery.queue();
        OrderingKey ordering = queue.endpoint().subscription().orderingKey().orElse(null);
        if (ordering == null) {
            executorLocked(queue).execute(() -> run(delivery, null));
            return;
        }
        String key = ordering.keyOf(delivery.body(), pipeline.codec());
        lanes.computeIfAbsent(queue, q -> new dev.eventbus.core.pipeline.OrderedLanes(executorLocked(q)))
                .submit(key, new dev.eventbus.core.pipeline.OrderedLanes.Task() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> run() {
                        java.util.concurrent.CompletableFuture<Void> settled = new java.util.concurrent.CompletableFuture<>();
                        LocalDispatcher.this.run(delivery, settled);
                        return settled;
                    }

                    @Override
                    public void reject() {
                        // only after stopLocked(), which counted it as dropped
                    }
                });
    }

    /** The threads of a queue's handler: its own if it has a concurrency, else the bus's. */
    private ExecutorService executorLocked(LocalQueue queue) {
        Subscription subscription = queue.endpoint().subscription();
        if (subscription.concurrency().isEmpty()) {
            return handlers;
        }
        return ownHandlers.computeIfAbsent(subscription.handlerName(), name -> {
            int size = subscription.concurrency().getAsInt();
            java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(size, size, 30,
                    TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), threads("handler-" + name));
            pool.allowCoreThreadTimeOut(true); // no thread at rest
            return pool;
        });
    }

    /**
     * Marks the dispatcher stopped: queued and scheduled deliveries will be dropped.
     *
     * @return how many were dropped
     */
    int stopLocked() {
        stopped = true;
        int dropped = queued + scheduled;
        queued = 0;
        scheduled = 0;
        signalIfIdle();
        return dropped;
    }

    /** After {@link #stopLocked()}: waits up to the stop timeout for running handlers, then interrupts them. */
    void shutdown() {
        java.util.List<ExecutorService> pools = new java.util.ArrayList<>();
        ScheduledExecutorService retryPool;
        lock.lock();
        try {
            if (handlers != null) {
                pools.add(handlers);
            }
            pools.addAll(ownHandlers.values());
            retryPool = retries;
        } finally {
            lock.unlock();
        }
        if (retryPool != null) {
            retryPool.shutdownNow();
        }
        pools.forEach(ExecutorService::shutdown);
        if (onHandlerThread.get()) {
            log.debug("stop() called from a handler: not waiting for that handler's own thread");
            return;
        }
        for (ExecutorService pool : pools) {
            awaitTermination(pool);
        }
    }

    private void awaitTermination(ExecutorService handlerPool) {
        try {
            if (!handlerPool.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Handlers of in-memory event bus {} still run after the stop timeout of {}: interrupting them",
                        threadPrefix, stopTimeout);
                handlerPool.shutdownNow();
                if (!handlerPool.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("Handlers of in-memory event bus {} ignored the interrupt; stop() returns without them", threadPrefix);
                }
            }
        } catch (InterruptedException e) {
            handlerPool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** See {@link InMemoryEventBus#awaitIdle(Duration)}. */
    boolean awaitIdle(Duration timeout) {
        long nanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        lock.lock();
        try {
            while (!isIdle()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    void signalIfIdle() {
        if (isIdle()) {
            idle.signalAll();
        }
    }

    /**
     * Runs on a handler thread. {@code settled}, for a delivery of an ordered queue, completes once it is handled,
     * dead-lettered or held (freeing its key); a retry waits in place, holding the key.
     */
    private void run(LocalDelivery delivery, java.util.concurrent.@Nullable CompletableFuture<Void> settled) {
        lock.lock();
        try {
            if (stopped) {
                return; // counted as dropped by stopLocked()
            }
            queued--;
            if (!deliversNow.test(delivery.queue())) {
                delivery.queue().hold(delivery);
                signalIfIdle();
                if (settled != null) {
                    settled.complete(null);
                }
                return;
            }
            running++;
        } finally {
            lock.unlock();
        }
        Outcome outcome = null;
        onHandlerThread.set(Boolean.TRUE);
        try {
            outcome = pipeline.process(delivery.queue().endpoint(), delivery.queue().policy(),
                    new IncomingDelivery(delivery.body(), delivery.routingKey(), delivery.retries(), false,
                            delivery.delayedRetries()));
        } finally {
            onHandlerThread.remove();
            boolean retriesInPlace = finish(delivery, outcome, settled);
            if (settled != null && !retriesInPlace) {
                settled.complete(null);
            }
        }
    }

    /**
     * Carries out what a delivery came to. {@code null}: the JVM failed in the handler.
     *
     * @return whether it is retried in place, holding its key (an ordered queue's delivery)
     */
    private boolean finish(LocalDelivery delivery, Outcome outcome,
                           java.util.concurrent.@Nullable CompletableFuture<Void> settled) {
        LocalQueue queue = delivery.queue();
        lock.lock();
        try {
            running--;
            if (outcome instanceof Outcome.Retry retry && settled != null) {
                boolean waits = retryInPlaceLocked(delivery.retry(retry.attempt()), retry, settled);
                signalIfIdle();
                return waits;
            }
            if (outcome == null) {
                log.error("Handler {} hit a JVM error on a message from {}: the message is dropped", queue.handlerName(),
                        delivery.routingKey());
            } else if (outcome instanceof Outcome.Retry retry) {
                retryLocked(delivery.retry(retry.attempt()), retry);
            } else if (outcome instanceof Outcome.DeadLettered dead && queue.endpoint().subscription().isLive()
                    && !queue.endpoint().subscription().isLiveWithRetries()) {
                log.warn("Live handler {} failed on a message from {}: dropped (a live subscription has no retry or dead-letter "
                        + "queue): {}", queue.handlerName(), delivery.routingKey(), dead.failure().toString());
            } else if (outcome instanceof Outcome.DeadLettered dead) {
                Instant now = Instant.now();
                queue.addDeadLetter(DeadLetter.builder(delivery.body(), queue.handlerName(), queue.name())
                        .routingKey(delivery.routingKey()).reason(dead.reason()).attempts(dead.attempts())
                        .failure(dead.failure().getClass().getName(), dead.failure().getMessage()).deadLetteredAt(now)
                        .firstFailedAt(delivery.firstFailedAt() != null ? delivery.firstFailedAt() : now).lastFailedAt(now)
                        .tag(queue.nextLetterTag()).build());
                log.warn("Handler {} dead-lettered a message from {} ({}, after {} attempt(s)): {}", queue.handlerName(),
                        delivery.routingKey(), dead.reason().wireValue(), dead.attempts(), dead.failure().toString());
                if (queue.endpoint().subscription().publishesFailures() && dead.message() != null && !stopped) {
                    Message<?> failed = dead.message();
                    MessageFailed event = MessageFailed.of(failed, queue.handlerName(), queue.name(), dead.reason(),
                            dead.attempts(), dead.failure());
                    // not under this bus's lock: a publish takes the locks of the buses it reaches
                    retries.execute(() -> queue.bus().publishFailure(event));
                }
            } else if (outcome instanceof Outcome.Requeue requeue && requeue.cause() == Outcome.Requeue.Cause.KILL_SWITCH) {
                suspendLocked(delivery, requeue);
            } else if (outcome instanceof Outcome.Requeue requeue) {
                log.warn("Handler {} was interrupted by stop() on attempt {} of a message from {}: the in-memory bus keeps "
                        + "nothing after stop, so it is dropped (not retried, not dead-lettered)", queue.handlerName(),
                        requeue.attempt(), delivery.routingKey());
            }
            signalIfIdle();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * An ordered queue's delivery failed: it runs again after the retry's delay on its handler's threads, still holding
     * its key, so its key's later messages wait and cannot overtake it.
     *
     * @return false if the bus stopped (the retry is dropped)
     */
    private boolean retryInPlaceLocked(LocalDelivery next, Outcome.Retry retry,
                                       java.util.concurrent.CompletableFuture<Void> settled) {
        if (stopped) {
            log.warn("Handler {} failed on a message from {} ({}) while the bus stopped: the retry is dropped",
                    next.queue().handlerName(), next.routingKey(), retry.failure().toString());
            return false;
        }
        log.warn("Handler {} failed on a message from {} (attempt {} of {}): {}; retrying in {} ms, its key's later messages "
                + "wait", next.queue().handlerName(), next.routingKey(), retry.attempt(), next.queue().policy().maxRetries() + 1,
                retry.failure().toString(), retry.delay().toMillis());
        scheduled++;
        retries.schedule(() -> {
            lock.lock();
            try {
                if (stopped) {
                    return; // counted as dropped by stopLocked()
                }
                scheduled--;
                queued++;
                executorLocked(next.queue()).execute(() -> run(next, settled));
            } finally {
                lock.unlock();
            }
        }, retry.delay().toMillis(), TimeUnit.MILLISECONDS);
        return true;
    }

    /** The kill switch tripped: the delivery waits in its queue, as it was, and the handler is suspended for the cool-down. */
    private void suspendLocked(LocalDelivery delivery, Outcome.Requeue requeue) {
        LocalQueue queue = delivery.queue();
        queue.hold(delivery);
        if (stopped) {
            return;
        }
        String why = pipeline.circuit(queue.handlerName()).map(dev.eventbus.core.pipeline.HandlerCircuit::describe)
                .orElse("kill switch tripped");
        Runnable resume = suspend.apply(queue.handlerName(), why);
        if (resume != null) {
            Duration coolDown = queue.endpoint().subscription().killSwitch().orElseThrow().coolDown();
            retries.schedule(resume, coolDown.toMillis(), TimeUnit.MILLISECONDS);
        }
        log.debug("Handler {}: a message goes back to its queue while the kill switch is tripped: {}", queue.handlerName(),
                requeue.failure().toString());
    }

    private void retryLocked(LocalDelivery next, Outcome.Retry retry) {
        String handler = next.queue().handlerName();
        if (stopped) {
            log.warn("Handler {} failed on a message from {} ({}) while the bus stopped: the retry is dropped", handler,
                    next.routingKey(), retry.failure().toString());
            return;
        }
        log.warn("Handler {} failed on a message from {} (attempt {} of {}): {}; retrying in {} ms", handler,
                next.routingKey(), retry.attempt(), next.queue().policy().maxRetries() + 1, retry.failure().toString(),
                retry.delay().toMillis());
        scheduled++;
        retries.schedule(() -> retryDue(next), retry.delay().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs on the retry thread when a retry's delay is over. */
    private void retryDue(LocalDelivery delivery) {
        lock.lock();
        try {
            if (stopped) {
                return; // counted as dropped by stopLocked()
            }
            scheduled--;
            dispatchLocked(delivery);
            signalIfIdle();
        } finally {
            lock.unlock();
        }
    }

    private boolean isIdle() {
        return queued == 0 && running == 0 && scheduled == 0;
    }

    private ThreadFactory threads(String role) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, threadPrefix + "-" + role + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
