package dev.eventbus.core.pipeline;

import java.util.Objects;

/**
 * One message as a transport received it, before the pipeline decodes it. Immutable (the body is not copied: the
 * transport hands it over and does not change it).
 *
 * @param body        the body exactly as received
 * @param routingKey  the routing key the message was first published with (on RabbitMQ, from our header on retried
 *                    copies)
 * @param retries     retries done so far (0 for a first delivery), read by the transport from its own bookkeeping;
 *                    clamped at 0 or more
 * @param redelivered whether the transport delivered this copy before without a settlement
 * @param delayedRetries how many of the retries waited a broker delay (the rest were immediate, in-process ones): picks
 *                    the step of a ladder or backoff; clamped at 0 or more
 */
public record IncomingDelivery(byte[] body, String routingKey, int retries, boolean redelivered, int delayedRetries) {

    public IncomingDelivery {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(routingKey, "routingKey");
        retries = Math.max(0, retries);
        delayedRetries = Math.max(0, delayedRetries);
    }

    /** A delivery whose every retry waited a broker delay (no immediate retries). */
    public IncomingDelivery(byte[] body, String routingKey, int retries, boolean redelivered) {
        this(body, routingKey, retries, redelivered, retries);
    }

    /** A first delivery: no retries, not redelivered. */
    public static IncomingDelivery first(byte[] body, String routingKey) {
        return new IncomingDelivery(body, routingKey, 0, false, 0);
    }
}
