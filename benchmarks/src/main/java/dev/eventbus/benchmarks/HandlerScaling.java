package dev.eventbus.benchmarks;

import dev.eventbus.core.Message;
import dev.eventbus.core.OrderingKey;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * Handlers that wait on I/O (a 2 ms sleep) with per-handler concurrency ({@link Subscription#withConcurrency}), unordered
 * or ordered by key ({@link Subscription#orderedBy}): a backlog is published first, then the handler's bus starts and
 * drains it; the rate is messages handled per second from the end of the first one (whose one-time costs, the JSON
 * deserializer of a new bus among them, are left out) to the end of the last, against the ideal of
 * {@code threads / 2 ms}. The ordered runs count order violations per key (a message handled before an earlier one of
 * its key): the goal is none.
 */
final class HandlerScaling {

    /**
     * One run's figures.
     *
     * @param rate       messages handled per second
     * @param ideal      threads x 500 msg/s
     * @param most       most handlers seen running at once
     * @param violations messages of a key handled after a later one of the same key
     */
    record Figures(double rate, double ideal, int most, long violations) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.0f msg/s (%.0f %% of ideal), at most %d at once, %d order violations", rate,
                    100 * rate / ideal, most, violations);
        }
    }

    private static final Duration WORK = Duration.ofMillis(2);

    private final Broker broker;

    HandlerScaling(Broker broker) {
        this.broker = broker;
    }

    /**
     * @param threads the handler's concurrency
     * @param count   messages in the backlog
     * @param keys    ordering keys (messages spread over them round-robin), or 0 for an unordered handler
     */
    Figures run(int threads, int count, int keys) throws Exception {
        String service = Broker.unique("scale");
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicLong violations = new AtomicLong();
        AtomicLongArray lastOfKey = new AtomicLongArray(Math.max(1, keys));
        for (int i = 0; i < lastOfKey.length(); i++) {
            lastOfKey.set(i, -1);
        }
        CountDownLatch drained = new CountDownLatch(count);
        AtomicLong first = new AtomicLong();
        Subscription subscription = Subscription.of(OrderPlaced.class, "scale_handler", message -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (keys > 0) {
                    long sequence = message.payload().sequence();
                    int key = (int) (sequence % keys);
                    if (lastOfKey.getAndSet(key, sequence) > sequence) {
                        violations.incrementAndGet();
                    }
                }
                Thread.sleep(WORK.toMillis());
            } finally {
                running.decrementAndGet();
                first.compareAndSet(0, System.nanoTime()); // the first message's end: its one-time costs are not counted
                drained.countDown();
            }
        }).withConcurrency(threads);
        if (keys > 0) {
            subscription = subscription.orderedBy(OrderingKey.attribute("customer_id"));
        }
        Consumer<RabbitMqEventBusBuilder> shape = builder -> builder.consumerThreads(1).prefetch(EndToEnd.PREFETCH);
        RabbitMqEventBusBuilder consuming = broker.bus(service).subscribe(subscription);
        shape.accept(consuming);
        RabbitMqEventBus bus = consuming.build();
        RabbitMqEventBusBuilder publishing = broker.bus(service).connectionName("bench.publisher." + service);
        shape.accept(publishing);
        RabbitMqEventBus publisher = publishing.build();
        try {
            bus.admin().configure();
            publisher.start();
            CompletableFuture<?>[] sent = new CompletableFuture<?>[count];
            for (int i = 0; i < count; i++) {
                sent[i] = publisher.publishAsync(Message.of(event(i, keys)));
            }
            CompletableFuture.allOf(sent).join();
            bus.start();
            if (!drained.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("backlog not drained: " + drained.getCount() + " left");
            }
            double seconds = (System.nanoTime() - first.get()) / 1e9;
            return new Figures((count - 1) / seconds, threads * 1000.0 / WORK.toMillis(), most.get(), violations.get());
        } finally {
            bus.stop();
            publisher.stop();
            broker.clear(service, shape, List.of(subscription));
        }
    }

    /**
     * What {@code threads} threads that only sleep reach on this machine: each sleeps 2 ms {@code count / threads} times.
     * {@code Thread.sleep(2)} lasts a little longer than 2 ms (the timer's slack and the wake-up), so this is the rate a
     * handler of that sleep can attain, beside the ideal of exactly 2 ms.
     */
    static double attainable(int threads, int count) throws InterruptedException {
        int each = Math.max(1, count / threads);
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        Thread.sleep(WORK.toMillis());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return (double) each * threads / ((System.nanoTime() - start) / 1e9);
    }

    /** A benchmark event whose customer is its key: sequence modulo the keys. */
    private static OrderPlaced event(long sequence, int keys) {
        String customer = "customer-" + (keys > 0 ? sequence % keys : sequence % 9973);
        return new OrderPlaced(UUID.randomUUID().toString(), sequence, System.nanoTime(), customer,
                "SKU-" + (100000 + sequence % 5000), 1 + (int) (sequence % 20), 1999 + sequence % 10000, "EUR", OrderPlaced.NOTE);
    }
}
