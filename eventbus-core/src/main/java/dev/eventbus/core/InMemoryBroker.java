package dev.eventbus.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What several {@link InMemoryEventBus}es share, as services share a broker: one space of exchanges and queues. A
 * message published by one bus reaches the queues of every bus on the same broker whose bindings match, so a
 * subscription {@link Subscription#from(String) from another service} works in memory as on RabbitMQ. Buses on one
 * broker that have a queue of the same name (replicas of one service) compete for its messages, taking turns.
 *
 * <pre>{@code
 * InMemoryBroker broker = new InMemoryBroker();
 * InMemoryEventBus datagen = InMemoryEventBus.builder().convention(Convention.of("acme", "datagen")).broker(broker).build();
 * InMemoryEventBus distributor = InMemoryEventBus.builder().convention(Convention.of("acme", "distributor")).broker(broker)
 *         .subscribe(Subscription.of(ObjectCreated.class, "create_tasks", handler).from("datagen"))
 *         .build();
 * }</pre>
 *
 * <p>Each bus built without one gets a broker of its own. Thread-safe: the buses are kept in a copy-on-write list, so
 * routing takes no lock.
 */
public final class InMemoryBroker {

    private final List<InMemoryEventBus> buses = new CopyOnWriteArrayList<>();
    private final AtomicLong turns = new AtomicLong();
    private final Map<String, LocalStream> streams = new java.util.concurrent.ConcurrentHashMap<>();

    /** A broker with no bus yet. */
    public InMemoryBroker() {
    }

    void attach(InMemoryEventBus bus) {
        buses.add(bus);
    }

    void detach(InMemoryEventBus bus) {
        buses.remove(bus);
    }

    /**
     * Hands an encoded message to every queue it reaches, each on the bus that owns it, as a first delivery.
     *
     * @return how many queues it reached
     */
    int deliver(dev.eventbus.core.pipeline.EncodedMessage message) {
        List<LocalQueue> targets = route(message.exchange(), message.routingKey(), message.kind());
        for (LocalQueue target : targets) {
            target.bus().enqueue(new LocalDelivery(target, message.body(), message.routingKey()));
        }
        int reached = targets.size();
        for (LocalStream stream : streams.values()) {
            if (stream.receives(message.exchange(), message.routingKey())) {
                stream.append(message.body(), message.routingKey());
                reached++;
            }
        }
        return reached;
    }

    /**
     * Declares a stream (a {@link Subscription#stream stream subscription}'s), or returns the one declared.
     *
     * @throws ConfigurationException if it exists with another retention
     */
    LocalStream stream(String name, StreamRetention retention) {
        LocalStream stream = streams.computeIfAbsent(name, n -> new LocalStream(n, retention));
        stream.requireRetention(retention);
        return stream;
    }

    /** The queues a message reaches, one per queue name (a replica chosen in turn when several have it). */
    List<LocalQueue> route(String exchange, String routingKey, MessageKind kind) {
        Map<String, List<LocalQueue>> byName = new LinkedHashMap<>();
        for (InMemoryEventBus bus : buses) {
            for (LocalQueue queue : bus.queues()) {
                if (queue.receives(exchange, routingKey, kind)) {
                    byName.computeIfAbsent(queue.name(), name -> new ArrayList<>(1)).add(queue);
                }
            }
        }
        List<LocalQueue> targets = new ArrayList<>(byName.size());
        for (List<LocalQueue> replicas : byName.values()) {
            targets.add(pick(replicas));
        }
        return targets;
    }

    /** The queue of this name on any bus of the broker (a replica chosen in turn), if one exists. */
    Optional<LocalQueue> queue(String name) {
        List<LocalQueue> replicas = new ArrayList<>(1);
        for (InMemoryEventBus bus : buses) {
            for (LocalQueue queue : bus.queues()) {
                if (queue.name().equals(name)) {
                    replicas.add(queue);
                }
            }
        }
        return replicas.isEmpty() ? Optional.empty() : Optional.of(pick(replicas));
    }

    private LocalQueue pick(List<LocalQueue> replicas) {
        return replicas.size() == 1 ? replicas.get(0) : replicas.get((int) (turns.getAndIncrement() % replicas.size()));
    }
}
