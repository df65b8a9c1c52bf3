package dev.eventbus.rabbitmq.internal.consuming;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bus's one handler thread when it is also its consumer connection's dispatch thread (the client's
 * {@code ConnectionFactory.setSharedExecutor}): handlers run where the client delivers, with no hand-off per delivery.
 * See {@link HandlerConsumers#dispatchExecutor}.
 *
 * <p>Its lifecycle differs from a handler pool's: the connection dispatches its channels' closing on this thread, so a
 * stop waits for the running handler ({@link #awaitIdle}) without shutting the thread down, and the thread ends only
 * after the connection closed ({@link #shutdown}).
 *
 * <p>Thread-safe.
 */
final class DispatchThread {

    private static final Logger log = LoggerFactory.getLogger(DispatchThread.class);

    private final ExecutorService executor;
    private volatile @Nullable Thread thread;

    /** @param name the thread's name, e.g. {@code eventbus-handler-orders-1} */
    DispatchThread(String name) {
        executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread made = new Thread(runnable, name);
            thread = made;
            return made;
        });
    }

    /** What the consumer connection dispatches on. */
    ExecutorService executor() {
        return executor;
    }

    /**
     * Runs a delivery's handling: at once when called on this thread (the client dispatching a delivery), else queued
     * to it (a retry in place coming back from a timer), so that handlers still run one at a time, all on this thread.
     *
     * @param stopping whether the bus is stopping
     * @throws RejectedExecutionException once the bus is stopping (the caller puts the message back)
     */
    void run(Runnable task, BooleanSupplier stopping) {
        if (stopping.getAsBoolean()) {
            throw new RejectedExecutionException("the bus is stopping");
        }
        if (Thread.currentThread() != thread) {
            executor.execute(() -> runHere(task));
            return;
        }
        runHere(task);
    }

    private static void runHere(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // as on a pool thread: never into the client's dispatch, whose exception handler would close the channel
            log.error("handling a delivery failed outside the handler", e);
        }
    }

    /**
     * Lets the running handler finish (up to {@code stopTimeout}, then interrupts it and waits as long again, at least
     * 1 s). Deliveries still queued in the client are put back once they reach the thread ({@link #run} refuses them
     * while stopping), so a marker task queued after them runs once the running handler is done.
     */
    void awaitIdle(Duration stopTimeout) {
        try {
            Future<?> done = executor.submit(() -> { });
            try {
                done.get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.warn("handlers still running after the stop timeout of {} ms: interrupting them; their messages "
                        + "go back to their queues, not retried and not dead-lettered", stopTimeout.toMillis());
                Thread running = thread;
                if (running != null) {
                    running.interrupt();
                }
                done.get(Math.max(1000, stopTimeout.toMillis()), TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException | ExecutionException | RejectedExecutionException e) {
            log.warn("handlers ignored the interrupt; closing their channels: the broker puts their "
                    + "unacknowledged messages back in the queues");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the thread once the consumer connection closed: nothing is dispatched on it any more. */
    void shutdown() {
        executor.shutdown();
    }
}
