package dev.eventbus.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The dead-letter desk: the messages handlers gave up on, per handler queue, to list, show, replay, move, discard and
 * purge. Thread-safe; every operation blocks until done.
 *
 * <p>Handler queues are named by the {@link Convention}, e.g. {@code alice.petisco.1.event.user_created.send_mail_handler};
 * on RabbitMQ a handler queue's dead letters wait in {@code dead_letter.<handler queue>}. A {@link DeadLetterFilter}
 * chooses the letters; without a queue or handler it covers the queues of the bus's own handlers.
 *
 * <p>Guarantees: a letter is removed from the dead letters only once its copy is safely in the target queue (on
 * RabbitMQ, once the broker confirmed the copy), so a process that dies midway loses nothing; at worst the letter it was
 * acting on is both in the target queue and still a dead letter (a duplicate). An operation examines at most the letters
 * in scope when it starts ({@link DeadLetterProgress#total()}), so letters that fail again and come back to the dead
 * letters during a replay are not replayed a second time: the call returns.
 */
public interface DeadLetters {

    /** Whether a replayed letter starts again from its first attempt, or keeps the attempts it used. */
    enum Attempts {
        /** The copy is a first attempt: the handler gets its whole retry policy again. */
        RESET,
        /**
         * The copy keeps its attempt count: the handler runs once more and, if it fails, the letter is dead-lettered again
         * at once (its retries were used up).
         */
        KEEP
    }

    /** How many dead letters a handler queue has. */
    long count(String handlerQueue);

    /**
     * How many dead letters each handler queue in a filter's scope has, by queue, in the order operations visit them. Only
     * the filter's {@link DeadLetterFilter#queue() queue} and {@link DeadLetterFilter#handler() handler} count: the
     * other criteria need every letter read (use {@link #forEach} to count those).
     *
     * @throws ConfigurationException if the filter names a handler or queue the bus does not know
     */
    Map<String, Long> counts(DeadLetterFilter scope);

    /** Up to {@code max} dead letters of a handler queue, oldest first, left where they are. */
    List<DeadLetter> peek(String handlerQueue, int max);

    /**
     * Sends up to {@code max} dead letters back to their handler queue only, as first attempts, removing each from the dead
     * letters once the copy was accepted: {@code replay(DeadLetterFilter.builder().queue(handlerQueue).limit(max).build(),
     * Attempts.RESET, progress -> { })}.
     *
     * @return how many were sent back
     */
    default int reprocess(String handlerQueue, int max) {
        if (max < 1) {
            return 0;
        }
        return (int) replay(DeadLetterFilter.builder().queue(handlerQueue).limit(max).build(), Attempts.RESET, progress -> {
        }).processed();
    }

    /**
     * Reads the matching letters one after another, oldest first per queue, leaving them where they are; streams, so it
     * suits queues of any size. {@code action} runs on the calling thread.
     *
     * @throws ConfigurationException if the filter names a handler or queue the bus does not know
     * @throws EventBusException      if the dead letters cannot be read (the broker is unreachable)
     */
    void forEach(DeadLetterFilter filter, Consumer<? super DeadLetter> action);

    /**
     * The matching letters, oldest first per queue, left where they are. Set a {@link DeadLetterFilter#limit()} (and
     * {@link DeadLetterFilter#skip()} to page) on large queues, or stream them with {@link #forEach}.
     */
    default List<DeadLetter> list(DeadLetterFilter filter) {
        List<DeadLetter> letters = new ArrayList<>();
        forEach(filter, letters::add);
        return letters;
    }

    /**
     * One letter by its {@link DeadLetter#id()}, with every header and its body, looked for in the queues of the bus's
     * handlers; for another service's queue use {@link #list} with {@link DeadLetterFilter.Builder#queue} and
     * {@link DeadLetterFilter.Builder#letter}.
     */
    default Optional<DeadLetter> show(String letterId) {
        return list(DeadLetterFilter.builder().letter(letterId).limit(1).build()).stream().findFirst();
    }

    /**
     * Sends the matching letters back to the handler queue each failed in (that queue only, not the other subscribers of
     * the message), removing each from the dead letters once its copy is in the queue.
     *
     * @param attempts whether the copies start again from their first attempt
     * @param progress told after each letter replayed, on the calling thread; keep it quick
     * @throws EventBusException if a copy could not be delivered: the letters replayed before it are reported in the
     *                           message, the rest stay dead letters
     */
    DeadLetterResult replay(DeadLetterFilter filter, Attempts attempts, Consumer<DeadLetterProgress> progress);

    /** {@link #replay(DeadLetterFilter, Attempts, Consumer) Replays} the matching letters as first attempts. */
    default DeadLetterResult replay(DeadLetterFilter filter) {
        return replay(filter, Attempts.RESET, progress -> {
        });
    }

    /**
     * Sends the matching letters to another handler queue (any service's) as first attempts, removing each from the dead
     * letters once its copy is in that queue.
     *
     * @param handlerQueue the queue to move them to, e.g. {@code convention.handlerQueue(type, "audit")}
     * @param progress     told after each letter moved, on the calling thread
     * @throws EventBusException if no such queue exists, or a copy could not be delivered (the rest stay dead letters)
     */
    DeadLetterResult move(DeadLetterFilter filter, String handlerQueue, Consumer<DeadLetterProgress> progress);

    /**
     * Deletes the matching letters for good.
     *
     * @param progress told after each letter discarded, on the calling thread
     */
    DeadLetterResult discard(DeadLetterFilter filter, Consumer<DeadLetterProgress> progress);

    /** {@link #discard(DeadLetterFilter, Consumer) Discards} the matching letters. */
    default DeadLetterResult discard(DeadLetterFilter filter) {
        return discard(filter, progress -> {
        });
    }

    /**
     * Deletes every dead letter of a handler queue at once.
     *
     * @return how many were deleted
     * @throws EventBusException if the handler queue has no dead letters queue (not configured)
     */
    long purge(String handlerQueue);
}
