package dev.eventbus.benchmarks;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts received messages and their latencies (in nanoseconds), and signals when all expected arrived. Thread-safe. */
final class Recorder {

    private final int expected;
    private final long[] latencies;
    private final AtomicInteger received = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long lastNanos;

    Recorder(int expected) {
        this.expected = expected;
        this.latencies = new long[expected];
    }

    /** Records one message that took {@code latencyNanos}. */
    void record(long latencyNanos) {
        long now = System.nanoTime();
        int index = received.getAndIncrement();
        if (index < expected) {
            latencies[index] = latencyNanos;
        }
        lastNanos = now;
        if (index + 1 == expected) {
            done.countDown();
        }
    }

    /** Waits until all expected messages arrived, or fails saying how many did. */
    void await(long timeoutMillis, String what) throws InterruptedException {
        if (!done.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(what + ": expected " + expected + " messages within " + timeoutMillis
                    + " ms, received " + received.get());
        }
    }

    int received() {
        return received.get();
    }

    long lastNanos() {
        return lastNanos;
    }

    /** The latency at percentile {@code p} (0-100) in milliseconds, over what was recorded. */
    double percentileMillis(double p) {
        int n = Math.min(received.get(), expected);
        if (n == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        int index = (int) Math.min(n - 1, Math.max(0, Math.ceil(p / 100.0 * n) - 1));
        return sorted[index] / 1e6;
    }
}
