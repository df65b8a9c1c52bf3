package dev.eventbus.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One message on its way to one {@link LocalQueue} of the in-memory bus. Immutable; the body is shared between the
 * deliveries of one publish and never modified.
 *
 * @param queue          where it goes
 * @param body           the encoded message, as a broker would carry it
 * @param routingKey     the routing key it was published with
 * @param retries        retries done so far (0 for a first delivery)
 * @param delayedRetries how many of them waited a delay (the others were immediate, in-process retries)
 * @param firstFailedAt  when its first attempt failed; null before any failure
 */
record LocalDelivery(LocalQueue queue, byte[] body, String routingKey, int retries, int delayedRetries,
                     @Nullable Instant firstFailedAt) {

    /**
     * A delivery sent back by the dead-letter desk with {@code retries} retries done (all counted as delayed ones, as
     * the letter does not tell them apart), or 0 for a first attempt.
     */
    LocalDelivery(LocalQueue queue, byte[] body, String routingKey, int retries, @Nullable Instant firstFailedAt) {
        this(queue, body, routingKey, retries, retries, firstFailedAt);
    }

    /** A first delivery, or one whose failures are forgotten. */
    LocalDelivery(LocalQueue queue, byte[] body, String routingKey, int retries) {
        this(queue, body, routingKey, retries, retries, null);
    }

    /** A first delivery. */
    LocalDelivery(LocalQueue queue, byte[] body, String routingKey) {
        this(queue, body, routingKey, 0, 0, null);
    }

    /** The same message, delivered again after a delay, with {@code retriesSoFar} retries done. */
    LocalDelivery retry(int retriesSoFar) {
        return new LocalDelivery(queue, body, routingKey, retriesSoFar, delayedRetries + 1,
                firstFailedAt != null ? firstFailedAt : Instant.now());
    }
}
