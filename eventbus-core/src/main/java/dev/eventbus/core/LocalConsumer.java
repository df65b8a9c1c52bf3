package dev.eventbus.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory bus's state of one handler: its queues and whether deliveries to it are paused.
 *
 * <p>Not thread-safe on its own: {@code paused} is accessed holding the bus's lock; the queue list is immutable.
 */
final class LocalConsumer {

    private final Subscription subscription;
    private final List<LocalQueue> queues;
    private boolean paused;
    private @Nullable String suspended;

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

    /** Whether deliveries to it wait: paused, or suspended by its kill switch. */
    boolean isPaused() {
        return paused || suspended != null;
    }

    /** Whether {@link InMemoryEventBus#pause} paused it (a kill switch's suspension ends by itself, so it does not count). */
    boolean isPausedByCall() {
        return paused;
    }

    boolean isSuspended() {
        return suspended != null;
    }

    void suspend(String why) {
        suspended = why;
    }

    void unsuspend() {
        suspended = null;
    }

    void pause() {
        paused = true;
    }

    void unpause() {
        paused = false;
    }

    /** The status of each of its queues: {@code busState} if the bus is not running, else consuming or paused. */
    List<HandlerStatus> statuses(HandlerStatus.@Nullable State busState) {
        HandlerStatus.State state = busState != null ? busState : suspended != null ? HandlerStatus.State.SUSPENDED
                : paused ? HandlerStatus.State.PAUSED : HandlerStatus.State.CONSUMING;
        String detail = state == HandlerStatus.State.SUSPENDED ? suspended : null;
        return queues.stream().map(queue -> new HandlerStatus(queue.handlerName(), queue.name(), state, detail)).toList();
    }
}
