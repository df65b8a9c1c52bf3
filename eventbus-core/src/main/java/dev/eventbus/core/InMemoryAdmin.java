package dev.eventbus.core;

import java.util.List;
import java.util.Objects;

/**
 * The administration view of an {@link InMemoryEventBus}: its queues live in memory, so there is nothing to declare;
 * clearing drops held messages and dead letters; {@link #deliverTo} reaches a queue of any bus on the same
 * {@link InMemoryBroker}; the dead letters are {@link InMemoryDeadLetters}. Thread-safe: every access to a queue holds the lock of the bus that owns it.
 */
final class InMemoryAdmin implements EventBusAdmin {

    private final InMemoryEventBus bus;
    private final InMemoryBroker broker;
    private final InMemoryDeadLetters deadLetters;

    InMemoryAdmin(InMemoryEventBus bus, InMemoryBroker broker) {
        this.bus = bus;
        this.broker = broker;
        this.deadLetters = new InMemoryDeadLetters(bus, broker);
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
            queue.bus().enqueue(new LocalDelivery(queue, body, routingKey));
        }
    }

    @Override
    public DeadLetters deadLetters() {
        return deadLetters;
    }
}
