package dev.eventbus.rabbitmq;

/** Which kind of RabbitMQ queue the configurer declares for handler, retry and dead-letter queues. */
public enum QueueType {
    /** Classic durable queues, as petisco declares them. Default. */
    CLASSIC,
    /**
     * Replicated quorum queues. Declared with {@code x-queue-type=quorum} and an explicit {@code x-delivery-limit}
     * (RabbitMQ 4 sets a default of 20 otherwise), after which the broker dead-letters a message that keeps being
     * returned unacknowledged (e.g. its consumer crashing on it) to the handler's dead-letter queue.
     */
    QUORUM
}
