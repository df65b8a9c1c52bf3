package dev.eventbus.it;

import dev.eventbus.core.EventBusException;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Publishes numbered OrderPlaced events from background threads, tallying what was confirmed or reported. */
final class Load {

    private Load() {
    }

    /**
     * Starts {@code threads} threads publishing {@code count} events in all through the blocking {@code publish},
     * with ids {@code <prefix>-<n>}. Each return is a confirm; each exception a failure reported to the caller.
     */
    static CompletableFuture<Void> publish(RabbitMqEventBus bus, Tally tally, String prefix, int count, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<Void>> publishers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            publishers.add(CompletableFuture.runAsync(() -> {
                for (int i = thread; i < count; i += threads) {
                    String id = prefix + "-" + i;
                    tally.published();
                    try {
                        bus.publish(new OrderPlaced(id, i));
                        tally.confirmed(id);
                    } catch (EventBusException e) {
                        tally.publishFailed(e);
                    }
                }
            }, pool));
        }
        return CompletableFuture.allOf(publishers.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> pool.shutdown());
    }
}
