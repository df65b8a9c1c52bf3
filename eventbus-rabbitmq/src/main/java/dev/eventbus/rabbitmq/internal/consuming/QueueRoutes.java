package dev.eventbus.rabbitmq.internal.consuming;

import dev.eventbus.core.Convention;

/**
 * Where a consumer sends failed messages of one queue: its retry route and its dead-letter route.
 *
 * @param queue                  the consumed queue
 * @param retryExchange          exchange for retries
 * @param retryRoutingKey        routing key for retries
 * @param deadLetterExchange     exchange for dead letters
 * @param deadLetterRoutingKey   routing key for dead letters
 * @param delayExchange          the service's headers exchange of delay queues, for ladders and backoff
 */
public record QueueRoutes(String queue, String retryExchange, String retryRoutingKey, String deadLetterExchange,
                          String deadLetterRoutingKey, String delayExchange) {

    /** The routes of a handler queue. */
    public static QueueRoutes forHandlerQueue(Convention convention, String queue) {
        return new QueueRoutes(queue, convention.retryExchange(), convention.retryRoutingKey(queue),
                convention.deadLetterExchange(), convention.deadLetterRoutingKey(queue),
                dev.eventbus.rabbitmq.Topology.delayExchange(convention));
    }

    /** The routes of the shared store queue. */
    public static QueueRoutes forStore(Convention convention) {
        return new QueueRoutes(Convention.STORE_QUEUE, convention.storeRetryExchange(), Convention.STORE_RETRY_QUEUE,
                convention.storeDeadLetterExchange(), Convention.STORE_DEAD_LETTER_QUEUE,
                dev.eventbus.rabbitmq.Topology.delayExchange(convention));
    }
}
