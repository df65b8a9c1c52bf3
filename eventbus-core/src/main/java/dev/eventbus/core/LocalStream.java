package dev.eventbus.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stream of an {@link InMemoryBroker}: a retained log of every message published to its bindings, each at an offset
 * (0 for the first), kept for the life of the broker (retention is checked for equality, as RabbitMQ does, but not
 * applied: nothing is deleted in memory). Thread-safe: the log is guarded by {@code lock}; readers wait on
 * {@code appended}.
 */
final class LocalStream {

    /** One event in the log. */
    record Entry(long offset, byte[] body, String routingKey, Instant writtenAt) {
    }

    private final String name;
    private final StreamRetention retention;
    private final Set<Endpoint.Binding> bindings = new CopyOnWriteArraySet<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final List<Entry> entries = new ArrayList<>();

    LocalStream(String name, StreamRetention retention) {
        this.name = name;
        this.retention = retention;
    }

    String name() {
        return name;
    }

    /** Checks a declaration's retention against the stream's, as RabbitMQ refuses other arguments. */
    void requireRetention(StreamRetention declared) {
        if (!retention.equals(declared)) {
            throw new ConfigurationException("stream '" + name + "' already exists with retention " + retention
                    + ", not " + declared + ": every subscriber of a stream must give the same StreamRetention");
        }
    }

    void bind(Endpoint.Binding binding) {
        bindings.add(binding);
    }

    boolean receives(String exchange, String routingKey) {
        for (Endpoint.Binding binding : bindings) {
            if (binding.matches(exchange, routingKey)) {
                return true;
            }
        }
        return false;
    }

    void append(byte[] body, String routingKey) {
        lock.lock();
        try {
            entries.add(new Entry(entries.size(), body.clone(), routingKey, Instant.now()));
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The offset the next event will have. */
    long end() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** The offset of the first event written at or after an instant ({@link #end()} if none). */
    long offsetAt(Instant instant) {
        lock.lock();
        try {
            for (Entry entry : entries) {
                if (!entry.writtenAt().isBefore(instant)) {
                    return entry.offset();
                }
            }
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** Up to {@code max} events from {@code from} on, waiting up to {@code waitMillis} for one if there is none. */
    List<Entry> read(long from, int max, long waitMillis) throws InterruptedException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (entries.size() <= from) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                appended.awaitNanos(left);
            }
            int start = (int) Math.max(0, from);
            return List.copyOf(entries.subList(start, Math.min(entries.size(), start + max)));
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the readers (a reader stopping). */
    void wake() {
        lock.lock();
        try {
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
