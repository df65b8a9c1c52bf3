package dev.eventbus.core;

import java.util.List;
import java.util.Objects;

/**
 * The administration view of an {@link InMemoryEventBus}: its queues live in memory, so there is nothing to declare;
 * clearing drops held messages and dead letters; {@link #deliverTo} reaches a queue of any bus on the same
 * {@link InMemoryBroker}. Thread-safe: every access to a queue holds the lock of the bus that owns it.
 */
final class InMemoryAdmin implements EventBusAdmin, DeadLetters {

    private final InMemoryEventBus bus;
    private final InMemoryBroker broker;

    InMemoryAdmin(InMemoryEventBus bus, InMemoryBroker broker) {
        this.bus = bus;
        this.broker = broker;
    }

    /** Nothing to declare: in-memory queues exist as soon as their handler is subscribed. */
    @Override
    public void configure() {
        // in-memory queues are created with their subscription
    }

    @Override
    public void clear() {
        bus.lock.lock();
        try {
            if (bus.consumingLocked(null)) {
                throw new EventBusException("cannot clear the queues of " + bus.convention().mainExchange()
                        + " while its handlers consume: stop() the bus (or pause every handler) first");
            }
            bus.queues().forEach(LocalQueue::clear);
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void clearHandler(String handlerName) {
        bus.lock.lock();
        try {
            LocalConsumer consumer = bus.consumer(handlerName);
            if (bus.consumingLocked(handlerName)) {
                throw new EventBusException("cannot clear the queues of handler " + handlerName
                        + " while it consumes: pause(\"" + handlerName + "\") it first");
            }
            consumer.queues().forEach(LocalQueue::clear);
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void deliverTo(String handlerQueue, byte[] body) {
        deliverTo(handlerQueue, List.of(Objects.requireNonNull(body, "body")));
    }

    @Override
    public void deliverTo(String handlerQueue, List<byte[]> bodies) {
        Objects.requireNonNull(handlerQueue, "handlerQueue");
        bodies.forEach(body -> Objects.requireNonNull(body, "body"));
        LocalQueue queue = broker.queue(handlerQueue).orElseThrow(() -> new ConfigurationException("no queue named '"
                + handlerQueue + "' on this in-memory broker: take the name from convention().handlerQueue(type, handler) "
                + "of a subscribed handler"));
        String routingKey = queue.endpoint().bindings().isEmpty() ? handlerQueue
                : queue.endpoint().bindings().get(0).bindingKey();
        for (byte[] body : bodies) {
            queue.bus().enqueue(new LocalDelivery(queue, body, routingKey, 0));
        }
    }

    @Override
    public DeadLetters deadLetters() {
        return this;
    }

    @Override
    public long count(String handlerQueue) {
        java.util.Optional<List<DeadLetter>> stream = bus.streamDeadLetters(handlerQueue);
        if (stream.isPresent()) {
            return stream.get().size();
        }
        return withQueue(handlerQueue, queue -> (long) queue.deadLetters().size());
    }

    @Override
    public List<DeadLetter> peek(String handlerQueue, int max) {
        java.util.Optional<List<DeadLetter>> stream = bus.streamDeadLetters(handlerQueue);
        if (stream.isPresent()) {
            return stream.get().stream().limit(max).toList();
        }
        return withQueue(handlerQueue, queue -> queue.deadLetters().stream().limit(max).toList());
    }

    @Override
    public int reprocess(String handlerQueue, int max) {
        List<DeadLetter> taken = withQueue(handlerQueue, queue -> queue.takeDeadLetters(max));
        LocalQueue queue = queueOf(handlerQueue);
        for (DeadLetter letter : taken) {
            bus.enqueue(new LocalDelivery(queue, letter.body(), letter.routingKey(), 0));
        }
        return taken.size();
    }

    private <T> T withQueue(String handlerQueue, java.util.function.Function<LocalQueue, T> work) {
        LocalQueue queue = queueOf(handlerQueue);
        bus.lock.lock();
        try {
            return work.apply(queue);
        } finally {
            bus.lock.unlock();
        }
    }

    private LocalQueue queueOf(String handlerQueue) {
        Objects.requireNonNull(handlerQueue, "handlerQueue");
        return bus.queues().stream().filter(queue -> queue.name().equals(handlerQueue)).findFirst()
                .orElseThrow(() -> new ConfigurationException("no handler queue named '" + handlerQueue + "' on this bus "
                        + "(queues: " + bus.queues().stream().map(LocalQueue::name).toList() + ")"));
    }
}
