package dev.eventbus.core;

/**
 * One message on its way to one {@link LocalQueue} of the in-memory bus. Immutable; the body is shared
 * between the deliveries of one publish and never modified.
 *
 * @param queue      where it goes
 * @param body       the encoded message, as a broker would carry it
 * @param routingKey the routing key it was published with
 * @param attempts   how many times the handler has already run on it
 */
record LocalDelivery(LocalQueue queue, byte[] body, String routingKey, int attempts) {

    /** The same message, to be delivered again after a failed attempt. */
    LocalDelivery retry(int attemptsSoFar) {
        return new LocalDelivery(queue, body, routingKey, attemptsSoFar);
    }
}
