package dev.eventbus.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The dead-letter desk of an {@link InMemoryEventBus}: the letters each {@link LocalQueue} keeps. An operation takes the
 * matching letters present when it starts (so letters that fail again during a replay are not replayed twice), and
 * removes each one just before handing its copy to the target queue; a copy the target refuses (its bus stopped) is put
 * back, and the operation fails. Thread-safe: every access to a queue's letters holds its bus's lock, never while
 * handing a copy over.
 */
final class InMemoryDeadLetters implements DeadLetters {

    private final InMemoryEventBus bus;
    private final InMemoryBroker broker;

    InMemoryDeadLetters(InMemoryEventBus bus, InMemoryBroker broker) {
        this.bus = bus;
        this.broker = broker;
    }

    @Override
    public long count(String handlerQueue) {
        java.util.Optional<List<DeadLetter>> stream = bus.streamDeadLetters(handlerQueue);
        if (stream.isPresent()) { // a stream handler's letters: read-only here (see InMemoryEventBus's stream support)
            return stream.get().size();
        }
        return withQueue(handlerQueue, queue -> (long) queue.deadLetters().size());
    }

    @Override
    public Map<String, Long> counts(DeadLetterFilter scope) {
        Map<String, Long> counts = new LinkedHashMap<>();
        scope(scope).forEach(queue -> counts.merge(queue.name(), locked(() -> (long) queue.deadLetters().size()), Long::sum));
        return counts;
    }

    @Override
    public List<DeadLetter> peek(String handlerQueue, int max) {
        java.util.Optional<List<DeadLetter>> stream = bus.streamDeadLetters(handlerQueue);
        if (stream.isPresent()) {
            return stream.get().stream().limit(Math.max(0, max)).toList();
        }
        return withQueue(handlerQueue, queue -> queue.deadLetters().stream().limit(Math.max(0, max)).toList());
    }

    @Override
    public void forEach(DeadLetterFilter filter, Consumer<? super DeadLetter> action) {
        Objects.requireNonNull(action, "action");
        selected(filter).forEach(selected -> action.accept(selected.letter()));
    }

    @Override
    public DeadLetterResult replay(DeadLetterFilter filter, Attempts attempts, Consumer<DeadLetterProgress> progress) {
        Objects.requireNonNull(attempts, "attempts");
        return act(filter, progress, (selected) -> {
            DeadLetter letter = selected.letter();
            int retries = attempts == Attempts.KEEP ? letter.attempts() : 0;
            return new LocalDelivery(selected.queue(), letter.body(), letter.routingKey(), retries,
                    attempts == Attempts.KEEP ? letter.firstFailedAt() : null);
        });
    }

    @Override
    public DeadLetterResult move(DeadLetterFilter filter, String handlerQueue, Consumer<DeadLetterProgress> progress) {
        LocalQueue target = broker.queue(Objects.requireNonNull(handlerQueue, "handlerQueue")).orElseThrow(() ->
                new ConfigurationException("cannot move dead letters to '" + handlerQueue + "': no such queue on this "
                        + "in-memory broker; take the name from convention().handlerQueue(type, handler) of a subscribed handler"));
        return act(filter, progress, selected -> new LocalDelivery(target, selected.letter().body(),
                selected.letter().routingKey(), 0));
    }

    @Override
    public DeadLetterResult discard(DeadLetterFilter filter, Consumer<DeadLetterProgress> progress) {
        return act(filter, progress, selected -> null);
    }

    @Override
    public long purge(String handlerQueue) {
        return withQueue(handlerQueue, queue -> (long) queue.purgeDeadLetters());
    }

    /** A letter with the queue it waits in. */
    private record Selected(LocalQueue queue, DeadLetter letter) {
    }

    /**
     * Removes each selected letter and hands its copy (if any: {@code null} discards) to its target; a refused copy puts
     * the letter back and ends the operation.
     */
    private DeadLetterResult act(DeadLetterFilter filter, Consumer<DeadLetterProgress> progress,
                                 Function<Selected, LocalDelivery> copy) {
        Objects.requireNonNull(progress, "progress");
        long start = System.nanoTime();
        long total = scope(filter).stream().mapToLong(queue -> locked(() -> (long) queue.deadLetters().size())).sum();
        List<Selected> selected = selected(filter);
        long processed = 0;
        for (Selected one : selected) {
            LocalQueue queue = one.queue();
            boolean claimed = locked(() -> {
                int before = queue.deadLetters().size();
                queue.removeDeadLetters(List.of(one.letter()));
                return queue.deadLetters().size() < before;
            });
            if (!claimed) {
                continue; // another desk took it meanwhile
            }
            LocalDelivery delivery = copy.apply(one);
            if (delivery != null && !delivery.queue().bus().enqueue(delivery)) {
                locked(() -> {
                    queue.addDeadLetter(one.letter());
                    return null;
                });
                throw new EventBusStoppedException("dead letter " + one.letter().id() + " was not sent to "
                        + delivery.queue().name() + ": its bus is stopped (" + processed + " sent before it); it stays a "
                        + "dead letter");
            }
            processed++;
            progress.accept(new DeadLetterProgress(selected.size(), processed, total, Duration.ofNanos(System.nanoTime() - start)));
        }
        return new DeadLetterResult(selected.size(), processed, Duration.ofNanos(System.nanoTime() - start));
    }

    /** The matching letters now, after the filter's skip and within its limit. */
    private List<Selected> selected(DeadLetterFilter filter) {
        List<Selected> selected = new ArrayList<>();
        long skipped = 0;
        for (LocalQueue queue : scope(filter)) {
            for (DeadLetter letter : locked(queue::deadLetters)) {
                if (selected.size() >= filter.limit()) {
                    return selected;
                }
                if (filter.matches(letter) && skipped++ >= filter.skip()) {
                    selected.add(new Selected(queue, letter));
                }
            }
        }
        return selected;
    }

    /** The queues a filter covers: its queue, the queues of its handler, or every queue of the bus. */
    private List<LocalQueue> scope(DeadLetterFilter filter) {
        if (filter.queue() != null) {
            LocalQueue queue = queueOf(filter.queue());
            return filter.covers(queue.name(), queue.handlerName()) ? List.of(queue) : List.of();
        }
        List<LocalQueue> queues = bus.queues().stream()
                .filter(queue -> filter.covers(queue.name(), queue.handlerName())).toList();
        if (filter.handler() != null && queues.isEmpty()) {
            throw new ConfigurationException("no handler named '" + filter.handler() + "' is subscribed to this bus "
                    + "(handlers: " + bus.queues().stream().map(LocalQueue::handlerName).distinct().toList() + ")");
        }
        return queues;
    }

    private <T> T locked(java.util.function.Supplier<T> work) {
        bus.lock.lock();
        try {
            return work.get();
        } finally {
            bus.lock.unlock();
        }
    }

    private <T> T withQueue(String handlerQueue, Function<LocalQueue, T> work) {
        LocalQueue queue = queueOf(handlerQueue);
        return locked(() -> work.apply(queue));
    }

    private LocalQueue queueOf(String handlerQueue) {
        Objects.requireNonNull(handlerQueue, "handlerQueue");
        return bus.queues().stream().filter(queue -> queue.name().equals(handlerQueue)).findFirst()
                .orElseThrow(() -> new ConfigurationException("no handler queue named '" + handlerQueue + "' on this bus "
                        + "(queues: " + bus.queues().stream().map(LocalQueue::name).toList() + ")"));
    }
}
