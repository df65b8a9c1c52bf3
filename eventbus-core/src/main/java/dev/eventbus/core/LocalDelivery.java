package dev.eventbus.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One message on its way to one {@link LocalQueue} of the in-memory bus. Immutable; the body is shared between the
 * deliveries of one publish and never modified.
 *
 * @param queue         where it goes
 * @param body          the encoded message, as a broker would carry it
 * @param routingKey    the routing key it was published with
 * @param retries       retries done so far (0 for a first delivery)
 * @param firstFailedAt when its first attempt failed; null before any failure
 */
record LocalDelivery(LocalQueue queue, byte[] body, String routingKey, int retries, @Nullable Instant firstFailedAt) {

    /** A first delivery, or one whose failures are forgotten. */
    LocalDelivery(LocalQueue queue, byte[] body, String routingKey, int retries) {
        this(queue, body, routingKey, retries, null);
    }

    /** The same message, delivered again after a failed attempt, with {@code retriesSoFar} retries done. */
    LocalDelivery retry(int retriesSoFar) {
        return new LocalDelivery(queue, body, routingKey, retriesSoFar, firstFailedAt != null ? firstFailedAt : Instant.now());
    }
}
