package dev.eventbus.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One queue of an in-memory bus: a subscription's {@link Endpoint} with its retry policy, the deliveries that wait for
 * it (before the bus starts, or while its handler is paused) and its dead letters.
 *
 * <p>Not thread-safe on its own: every access to the mutable parts holds the owning bus's lock. {@link #endpoint()} and
 * {@link #policy()} are immutable and read without it.
 */
final class LocalQueue {

    private final InMemoryEventBus bus;
    private final Endpoint endpoint;
    private final RetryPolicy policy;
    private final Deque<LocalDelivery> waiting = new ArrayDeque<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private long letters;

    LocalQueue(InMemoryEventBus bus, Endpoint endpoint, RetryPolicy policy) {
        this.bus = bus;
        this.endpoint = endpoint;
        this.policy = policy;
    }

    InMemoryEventBus bus() {
        return bus;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    RetryPolicy policy() {
        return policy;
    }

    String name() {
        return endpoint.queue();
    }

    String handlerName() {
        return endpoint.handlerName();
    }

    /**
     * Whether a message published to this exchange with this routing key and kind reaches this queue: by its bindings,
     * like a topic exchange; the store queue sees every event and command of every bus on the broker (as on a broker
     * where every service declares the store, as petisco's do).
     */
    boolean receives(String exchange, String routingKey, MessageKind kind) {
        if (endpoint.isStore()) {
            return kind == MessageKind.DOMAIN_EVENT || kind == MessageKind.COMMAND;
        }
        return endpoint.receives(exchange, routingKey);
    }

    /**
     * Keeps a delivery until the handler consumes; a live queue keeps nothing: like its RabbitMQ counterpart, which exists
     * only while its consumer does, it receives only what is published while the handler consumes.
     */
    void hold(LocalDelivery delivery) {
        if (endpoint.subscription().isLive()) {
            return;
        }
        waiting.addLast(delivery);
    }

    /** Removes and returns every held delivery, oldest first. */
    List<LocalDelivery> releaseHeld() {
        List<LocalDelivery> released = new ArrayList<>(waiting);
        waiting.clear();
        return released;
    }

    int heldCount() {
        return waiting.size();
    }

    /** A tag no other dead letter of this queue has had: the letter's number in the queue. */
    String nextLetterTag() {
        return Long.toString(++letters);
    }

    /** Removes these letters (by identity), keeping the order of the rest. */
    void removeDeadLetters(java.util.Collection<DeadLetter> removed) {
        java.util.Set<DeadLetter> gone = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        gone.addAll(removed);
        deadLetters.removeIf(gone::contains);
    }

    /** Removes every dead letter; returns how many there were. */
    int purgeDeadLetters() {
        int count = deadLetters.size();
        deadLetters.clear();
        return count;
    }

    void addDeadLetter(DeadLetter letter) {
        deadLetters.add(letter);
    }

    List<DeadLetter> deadLetters() {
        return List.copyOf(deadLetters);
    }

    void clear() {
        waiting.clear();
        deadLetters.clear();
    }
}
