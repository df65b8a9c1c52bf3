package dev.eventbus.core;

/**
 * One message on its way to one {@link LocalQueue} of the in-memory bus. Immutable; the body is shared between the
 * deliveries of one publish and never modified.
 *
 * @param queue      where it goes
 * @param body       the encoded message, as a broker would carry it
 * @param routingKey the routing key it was published with
 * @param retries    retries done so far (0 for a first delivery)
 * @param delayedRetries how many of them waited a delay (the others were immediate, in-process retries)
 */
record LocalDelivery(LocalQueue queue, byte[] body, String routingKey, int retries, int delayedRetries) {

    /** A first delivery. */
    LocalDelivery(LocalQueue queue, byte[] body, String routingKey) {
        this(queue, body, routingKey, 0, 0);
    }

    /** The same message, delivered again after a delay, with {@code retriesSoFar} retries done. */
    LocalDelivery retry(int retriesSoFar) {
        return new LocalDelivery(queue, body, routingKey, retriesSoFar, delayedRetries + 1);
    }
}
