package dev.eventbus.outbox.internal;

import dev.eventbus.core.pipeline.EncodedPublisher;
import dev.eventbus.outbox.RelayObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Sends one claimed batch and waits for the confirms: every row without an ordering key at once (all in flight
 * together), and the rows of each ordering key one after the other, each only once the one before it was confirmed,
 * so a key's messages reach the broker in order whatever channel each goes out on. A key whose message failed sends
 * nothing more in this batch. Used by one thread, once: the relay's. Confirms arrive on the bus's threads and are
 * handed to the relay thread through a queue, so no bus thread ever sends (or blocks).
 */
final class BatchSender {

    /** The outcome of a batch: rows confirmed, rows that failed (with why), rows not tried (behind a failed key). */
    record Result(List<OutboxRow> confirmed, Map<OutboxRow, Throwable> failed, int notTried) {
    }

    private record Settled(OutboxRow row, @Nullable Throwable failure) {
    }

    private final EncodedPublisher bus;
    private final RelayObserver observer;
    private final LinkedBlockingQueue<Settled> settled = new LinkedBlockingQueue<>();
    private final Map<String, ArrayDeque<OutboxRow>> waitingByKey = new LinkedHashMap<>();
    private final List<OutboxRow> inFlight = new ArrayList<>();

    BatchSender(EncodedPublisher bus, RelayObserver observer) {
        this.bus = bus;
        this.observer = observer;
    }

    /** Sends the rows and returns once each is confirmed or failed, or the timeout passed (then the rest failed). */
    Result send(List<OutboxRow> rows, Duration confirmTimeout) throws InterruptedException {
        for (OutboxRow row : rows) {
            if (row.orderingKey() == null) {
                publish(row);
            } else {
                waitingByKey.computeIfAbsent(row.orderingKey(), key -> new ArrayDeque<>()).add(row);
            }
        }
        for (ArrayDeque<OutboxRow> keyRows : waitingByKey.values()) {
            publish(keyRows.poll());
        }
        List<OutboxRow> confirmed = new ArrayList<>(rows.size());
        Map<OutboxRow, Throwable> failed = new LinkedHashMap<>();
        long deadline = System.nanoTime() + confirmTimeout.toNanos();
        while (!inFlight.isEmpty()) {
            Settled next = settled.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            inFlight.remove(next.row());
            String key = next.row().orderingKey();
            if (next.failure() == null) {
                confirmed.add(next.row());
                observer.confirmed(next.row().message());
                if (key != null) {
                    OutboxRow following = waitingByKey.get(key).poll();
                    if (following != null) {
                        publish(following);
                    }
                }
            } else {
                failed.put(next.row(), next.failure());
                observer.failed(next.row().message(), next.failure());
            }
        }
        for (OutboxRow unconfirmed : inFlight) {
            TimeoutException timeout = new TimeoutException(unconfirmed.message().describe() + " was not confirmed within "
                    + confirmTimeout.toMillis() + " ms");
            failed.put(unconfirmed, timeout);
            observer.failed(unconfirmed.message(), timeout);
        }
        int notTried = 0;
        for (Map.Entry<String, ArrayDeque<OutboxRow>> key : waitingByKey.entrySet()) {
            notTried += key.getValue().size();
        }
        return new Result(confirmed, failed, notTried);
    }

    private void publish(OutboxRow row) {
        inFlight.add(row);
        CompletableFuture<Void> confirm;
        try {
            confirm = bus.publishEncoded(row.message());
        } catch (RuntimeException e) {
            confirm = CompletableFuture.failedFuture(e);
        }
        confirm.whenComplete((ok, failure) -> settled.add(new Settled(row, unwrap(failure))));
    }

    private static @Nullable Throwable unwrap(@Nullable Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
