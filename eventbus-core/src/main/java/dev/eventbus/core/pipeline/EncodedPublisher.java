package dev.eventbus.core.pipeline;

import java.util.concurrent.CompletableFuture;

/**
 * A bus that can send messages its {@link PublishPipeline} prepared earlier, possibly in another process: the relay of a
 * transactional outbox. Both buses of this project implement it. Thread-safe.
 */
public interface EncodedPublisher {

    /** The pipeline that checks, validates and encodes messages as this bus publishes them. */
    PublishPipeline publishing();

    /**
     * Sends an encoded message as it is; the future completes when the bus accepted it (on RabbitMQ: the broker confirmed
     * it), or fails (unroutable, not confirmed, stopped). One attempt: the caller decides about sending again.
     */
    CompletableFuture<Void> publishEncoded(EncodedMessage message);
}
