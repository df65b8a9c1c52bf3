package dev.eventbus.core;

import java.util.List;

/**
 * The messages handlers gave up on, per handler queue: count, read and send back. Thread-safe.
 *
 * <p>Handler queues are named by the {@link Convention}, e.g. {@code alice.petisco.1.event.user_created.send_mail_handler};
 * on RabbitMQ a handler queue's dead letters wait in {@code dead_letter.<handler queue>}.
 */
public interface DeadLetters {

    /** How many dead letters a handler queue has. */
    long count(String handlerQueue);

    /** Up to {@code max} dead letters of a handler queue, oldest first, left where they are. */
    List<DeadLetter> peek(String handlerQueue, int max);

    /**
     * Sends up to {@code max} dead letters back to their handler queue only, as first attempts, removing each from the dead
     * letters once the copy was accepted.
     *
     * @return how many were sent back
     */
    int reprocess(String handlerQueue, int max);
}
