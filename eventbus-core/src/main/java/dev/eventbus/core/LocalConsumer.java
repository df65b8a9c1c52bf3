package dev.eventbus.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The in-memory bus's state of one handler: its queues, whether deliveries to it are paused, and the
 * deliveries that wait for it (before the bus starts, or while it is unsubscribed).
 *
 * <p>Not thread-safe on its own: every access holds the bus's lock.
 */
final class LocalConsumer {

    private final Subscription subscription;
    private final List<LocalQueue> queues;
    private final Deque<LocalDelivery> waiting = new ArrayDeque<>();
    private boolean paused;

    LocalConsumer(Subscription subscription, List<LocalQueue> queues) {
        this.subscription = subscription;
        this.queues = List.copyOf(queues);
    }

    Subscription subscription() {
        return subscription;
    }

    List<LocalQueue> queues() {
        return queues;
    }

    boolean isPaused() {
        return paused;
    }

    void pause() {
        paused = true;
    }

    void unpause() {
        paused = false;
    }

    /** Holds a delivery until the handler can take it. */
    void hold(LocalDelivery delivery) {
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
}
