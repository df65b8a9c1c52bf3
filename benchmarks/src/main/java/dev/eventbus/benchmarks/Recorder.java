package dev.eventbus.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts received messages and their latencies (in nanoseconds), and signals when all expected arrived. Thread-safe. */
final class Recorder {

    private final int expected;
    private final long[] latencies;
    /** When each message arrived (nanoTime), for the per-second latency figures. */
    private final long[] arrivals;
    private final AtomicInteger received = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long lastNanos;

    Recorder(int expected) {
        this.expected = expected;
        this.latencies = new long[expected];
        this.arrivals = new long[expected];
    }

    /** Records one message that took {@code latencyNanos}. */
    void record(long latencyNanos) {
        long now = System.nanoTime();
        int index = received.getAndIncrement();
        if (index < expected) {
            latencies[index] = latencyNanos;
            arrivals[index] = now;
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

    /**
     * Latency percentiles of each second of the run, as PerfTest reports them: {@code [p50, p95, p99]} in milliseconds
     * for the messages that arrived in that second (counted from the first arrival), seconds with no message left out.
     */
    List<double[]> perSecondMillis() {
        int n = Math.min(received.get(), expected);
        List<double[]> seconds = new ArrayList<>();
        if (n == 0) {
            return seconds;
        }
        long first = arrivals[0];
        for (int i = 1; i < n; i++) {
            first = Math.min(first, arrivals[i]);
        }
        Map<Long, List<Long>> bySecond = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            bySecond.computeIfAbsent((arrivals[i] - first) / 1_000_000_000L, second -> new ArrayList<>()).add(latencies[i]);
        }
        for (List<Long> second : bySecond.values()) {
            long[] sorted = second.stream().mapToLong(Long::longValue).sorted().toArray();
            seconds.add(new double[] {at(sorted, 50), at(sorted, 95), at(sorted, 99)});
        }
        return seconds;
    }

    private static double at(long[] sorted, double p) {
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100.0 * sorted.length) - 1));
        return sorted[index] / 1e6;
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
