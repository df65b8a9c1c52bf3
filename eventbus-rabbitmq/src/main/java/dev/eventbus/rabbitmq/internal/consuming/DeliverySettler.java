package dev.eventbus.rabbitmq.internal.consuming;

import dev.eventbus.rabbitmq.Headers;
import dev.eventbus.rabbitmq.internal.publishing.ConfirmingPublisher;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.pipeline.DeliveryPipeline;
import dev.eventbus.rabbitmq.FrameLimits;
import dev.eventbus.core.pipeline.IncomingDelivery;
import dev.eventbus.core.pipeline.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one RabbitMQ delivery through the core {@link DeliveryPipeline} on a handler thread and carries its
 * {@link Outcome} out: ack when handled; for a retry or a dead letter, republish (retry route with the retry counter,
 * or dead-letter route with the reason) and ack the original only once the broker confirmed the copy; put it back
 * ({@code basic.reject} with requeue) when the handler was interrupted by a stop.
 *
 * <p>What the client's features do not cover, this class does: while the broker blocks publishing (a memory or disk
 * alarm), a copy cannot be republished, so the original is parked unacknowledged (it stays in the consumer's
 * prefetch, bounded by it) and settled when the alarm clears, without holding a handler thread, and never
 * dead-lettered for the alarm. A retry whose copy cannot be republished goes back to its queue (a later attempt
 * republishes it); a dead letter whose copy cannot be republished is rejected, so the broker dead-letters it through
 * the queue's {@code x-dead-letter-exchange}: nothing is lost.
 *
 * <p>Thread-safe: stateless apart from its collaborators.
 */
public final class DeliverySettler {

    private static final Logger log = LoggerFactory.getLogger(DeliverySettler.class);

    private final DeliveryPipeline pipeline;
    private final ConfirmingPublisher publisher;
    private final Executor parking;
    private final java.util.function.Consumer<dev.eventbus.core.MessageFailed> failures;

    /**
     * @param parking runs the settlements parked during a broker alarm (one thread is enough: they wait for the alarm)
     */
    public DeliverySettler(DeliveryPipeline pipeline, ConfirmingPublisher publisher, Executor parking) {
        this(pipeline, publisher, parking, event -> { });
    }

    /**
     * @param parking  runs the settlements parked during a broker alarm (one thread is enough: they wait for the alarm)
     * @param failures publishes the failure event of a message dead-lettered by a handler that asks for it
     */
    public DeliverySettler(DeliveryPipeline pipeline, ConfirmingPublisher publisher, Executor parking,
                           java.util.function.Consumer<dev.eventbus.core.MessageFailed> failures) {
        this.pipeline = pipeline;
        this.publisher = publisher;
        this.parking = parking;
        this.failures = failures;
    }

    /** The kill-switch circuit of a handler, once it has one (see {@link DeliveryPipeline#circuit}). */
    public java.util.Optional<dev.eventbus.core.pipeline.HandlerCircuit> circuit(String handlerName) {
        return pipeline.circuit(handlerName);
    }

    public void process(QueueConsumer consumer, ChannelSettlements channel, Envelope delivery, AMQP.BasicProperties properties, byte[] body) {
        if (!consumer.isConsuming()) {
            // not started before stop or pause: back to the queue, for the next consumer
            channel.requeue(delivery.getDeliveryTag());
            return;
        }
        Map<String, Object> headers = properties.getHeaders();
        IncomingDelivery incoming = new IncomingDelivery(body, Headers.originalRoutingKey(headers, delivery.getRoutingKey()),
                Headers.retryCount(headers), delivery.isRedeliver(), Headers.delayedRetries(headers));
        Outcome outcome = pipeline.process(consumer.endpoint(), consumer.retryPolicy(), incoming);
        settle(new Settlement(consumer, channel, delivery, properties, body, outcome));
    }

    /**
     * Runs a delivery of an ordered subscription ({@link dev.eventbus.core.Subscription#orderedBy}) and settles it; the
     * returned stage completes once it is settled, which frees its key for the next message. A retry waits in place,
     * unacknowledged (in the consumer's prefetch), and runs again after its delay on the handler's threads, instead of
     * going through the retry queue, where the key's later messages would overtake it. A dead letter goes the usual way.
     *
     * @param handlerThreads the handler's threads, to run the retry on
     * @param timer          waits the retry's delay
     */
    public java.util.concurrent.CompletionStage<Void> processOrdered(QueueConsumer consumer, ChannelSettlements channel, Envelope delivery,
            AMQP.BasicProperties properties, byte[] body, Executor handlerThreads,
            java.util.concurrent.ScheduledExecutorService timer) {
        java.util.concurrent.CompletableFuture<Void> settled = new java.util.concurrent.CompletableFuture<>();
        Map<String, Object> headers = properties.getHeaders();
        attemptInPlace(new InPlace(consumer, channel, delivery, properties, body, handlerThreads, timer, settled),
                Headers.retryCount(headers), Headers.delayedRetries(headers));
        return settled;
    }

    /** An ordered delivery being attempted in place until settled. */
    private record InPlace(QueueConsumer consumer, ChannelSettlements channel, Envelope delivery, AMQP.BasicProperties properties,
                           byte[] body, Executor handlerThreads, java.util.concurrent.ScheduledExecutorService timer,
                           java.util.concurrent.CompletableFuture<Void> settled) {
    }

    private void attemptInPlace(InPlace it, int retries, int delayedRetries) {
        try {
            QueueConsumer consumer = it.consumer();
            if (!consumer.isConsuming() || !it.channel().isOpen()) {
                it.channel().requeue(it.delivery().getDeliveryTag()); // paused or stopping: back to the queue, key order kept
                return;
            }
            IncomingDelivery incoming = new IncomingDelivery(it.body(), Headers.originalRoutingKey(it.properties().getHeaders(),
                    it.delivery().getRoutingKey()), retries, it.delivery().isRedeliver(), delayedRetries);
            Outcome outcome = pipeline.process(consumer.endpoint(), consumer.retryPolicy(), incoming);
            if (outcome instanceof Outcome.Retry retry && !dropsFailures(consumer)) {
                long delay = consumer.retryPolicy().usesRetryQueue() ? consumer.retryPolicy().delayMillis()
                        : retry.delay().toMillis();
                log.warn("handler {} failed on attempt {} of {} for a message on {}; retrying in place in {} ms, its key's "
                        + "later messages wait: {}", consumer.handlerName(), retry.attempt(),
                        consumer.retryPolicy().maxRetries() + 1, consumer.queue(), delay, retry.failure().toString());
                try {
                    it.timer().schedule(() -> runAgain(it, retry.attempt(), delayedRetries + 1), delay,
                            java.util.concurrent.TimeUnit.MILLISECONDS);
                    return; // settled later
                } catch (RejectedExecutionException stopping) {
                    it.channel().requeue(it.delivery().getDeliveryTag());
                    return;
                }
            }
            settle(new Settlement(consumer, it.channel(), it.delivery(), it.properties(), it.body(), outcome));
        } catch (RuntimeException unexpected) {
            log.error("handler {}: could not settle an ordered delivery from {}; it goes back to the queue",
                    it.consumer().handlerName(), it.consumer().queue(), unexpected);
            it.channel().requeue(it.delivery().getDeliveryTag());
        }
        it.settled().complete(null);
    }

    private void runAgain(InPlace it, int retries, int delayedRetries) {
        try {
            it.handlerThreads().execute(() -> attemptInPlace(it, retries, delayedRetries));
        } catch (RejectedExecutionException stopping) {
            it.channel().requeue(it.delivery().getDeliveryTag());
            it.settled().complete(null);
        }
    }

    /** The codec the pipeline decodes with (an ordering key is read with it). */
    public dev.eventbus.core.MessageCodec codec() {
        return pipeline.codec();
    }

    /** One delivery and what it came to, until it is settled. */
    private record Settlement(QueueConsumer consumer, ChannelSettlements channel, Envelope delivery, AMQP.BasicProperties properties,
                              byte[] body, Outcome outcome) {
        long tag() {
            return delivery.getDeliveryTag();
        }

        String handler() {
            return consumer.endpoint().handlerName();
        }
    }

    private void settle(Settlement settlement) {
        Outcome outcome = settlement.outcome();
        QueueConsumer consumer = settlement.consumer();
        if (outcome instanceof Outcome.Handled) {
            settlement.channel().ack(settlement.tag());
            if (consumer.isHalfOpen()) {
                consumer.consumeAtFullPrefetch(); // the kill switch closed on this success
            }
        } else if (outcome instanceof Outcome.Requeue requeue && requeue.cause() == Outcome.Requeue.Cause.KILL_SWITCH) {
            consumer.killSwitchTripped();
            setAside(settlement);
        } else if (outcome instanceof Outcome.Requeue requeue) {
            log.warn("handler {} was interrupted by stop() on attempt {} of a message from {}: it goes back to the queue as it "
                    + "was (not retried, not dead-lettered): {}", settlement.handler(), requeue.attempt(), consumer.queue(),
                    requeue.failure().toString());
            settlement.channel().requeue(settlement.tag());
        } else if (dropsFailures(consumer)) {
            // a live queue has no retry or dead-letter queue to republish to: the message is dropped, said so
            log.warn("live handler {} failed on a message from {}: dropped (a live subscription has no retry or dead-letter "
                    + "queue): {}", settlement.handler(), consumer.queue(), failure(outcome));
            settlement.channel().ack(settlement.tag());
        } else if (parkedWhileBlocked(settlement)) {
            return;
        } else if (outcome instanceof Outcome.Retry retry) {
            boolean retryQueue = consumer.retryPolicy().usesRetryQueue();
            long delay = retryQueue ? consumer.retryPolicy().delayMillis() : retry.delay().toMillis();
            log.warn("handler {} failed on attempt {} of {} for a message on {}; retrying in {} ms: {}", settlement.handler(),
                    retry.attempt(), consumer.retryPolicy().maxRetries() + 1, consumer.queue(), delay,
                    retry.failure().toString());
            try {
                // a fixed policy waits in petisco's retry queue; ladders and backoff in the service's delay queue of the delay
                publisher.publish(retryQueue ? consumer.routes().retryExchange() : consumer.routes().delayExchange(),
                        consumer.routes().retryRoutingKey(), true, retried(settlement, retry.attempt(), retryQueue ? null : delay),
                        settlement.body(), "retry " + retry.attempt() + " of a message from " + consumer.queue());
                settlement.channel().ack(settlement.tag());
            } catch (RuntimeException republishFailure) {
                log.warn("could not republish retry {} of a message of handler {} from {} ({}); it goes back to the queue for "
                        + "another attempt", retry.attempt(), settlement.handler(), consumer.queue(),
                        republishFailure.getMessage());
                settlement.channel().requeue(settlement.tag());
            }
        } else if (outcome instanceof Outcome.DeadLettered dead) {
            log.error("handler {} dead-letters a message from {} ({}, attempt {}): {}", settlement.handler(), consumer.queue(),
                    dead.reason().wireValue(), dead.attempts(), dead.failure().toString());
            try {
                publisher.publish(consumer.routes().deadLetterExchange(), consumer.routes().deadLetterRoutingKey(), true,
                        deadLettered(settlement, dead), settlement.body(), "dead letter of a message from " + consumer.queue());
                settlement.channel().ack(settlement.tag());
                if (consumer.endpoint().subscription().publishesFailures() && dead.message() != null) {
                    failures.accept(dev.eventbus.core.MessageFailed.of(dead.message(), settlement.handler(), consumer.queue(),
                            dead.reason(), dead.attempts(), dead.failure()));
                }
            } catch (RuntimeException republishFailure) {
                log.error("could not republish a dead letter of handler {} from {} ({}); rejecting it so the broker "
                        + "dead-letters it to {}", settlement.handler(), consumer.queue(), republishFailure.getMessage(),
                        consumer.routes().deadLetterRoutingKey(), republishFailure);
                settlement.channel().reject(settlement.tag());
            }
        }
    }

    /** A live subscription without a retry policy of its own has no retry or dead-letter queue to republish to. */
    private static boolean dropsFailures(QueueConsumer consumer) {
        return consumer.endpoint().subscription().isLive() && !consumer.endpoint().subscription().isLiveWithRetries();
    }

    private static String failure(Outcome outcome) {
        return outcome instanceof Outcome.Retry retry ? retry.failure().toString()
                : outcome instanceof Outcome.DeadLettered dead ? dead.reason().wireValue() + ": " + dead.failure() : outcome.toString();
    }

    /**
     * A delivery that failed while its handler's kill switch trips or is tripped waits one retry delay with its counters
     * unchanged (no attempt burned): a copy through its retry route, confirmed, then the original acked. Not put back
     * with a requeue: a quorum queue counts every return towards its {@code x-delivery-limit}, and over a long outage
     * the messages at the head of the queue would be dead-lettered by the broker. While the broker blocks publishing,
     * or if the copy cannot be published, it is put back instead.
     */
    private void setAside(Settlement settlement) {
        QueueConsumer consumer = settlement.consumer();
        RetryPolicy policy = consumer.retryPolicy();
        Map<String, Object> incoming = settlement.properties().getHeaders();
        int retries = Headers.retryCount(incoming);
        int delayed = Headers.delayedRetries(incoming);
        boolean retryQueue = policy.usesRetryQueue();
        // the middle jitter level is the nominal delay, which always has its delay queue
        Long delay = retryQueue ? null : policy.delay(Math.min(delayed + 1, Math.max(1, policy.maxRetries())), 0.5).toMillis();
        if (publisher.isBlocked()) {
            settlement.channel().requeue(settlement.tag());
            return;
        }
        try {
            publisher.publish(retryQueue ? consumer.routes().retryExchange() : consumer.routes().delayExchange(),
                    consumer.routes().retryRoutingKey(), true, setAside(settlement, retries, delayed, delay), settlement.body(),
                    "a message set aside by the kill switch of handler " + settlement.handler());
            settlement.channel().ack(settlement.tag());
        } catch (RuntimeException republishFailure) {
            log.warn("could not set aside a message of handler {} from {} while its kill switch is tripped ({}); it goes back "
                    + "to the queue", settlement.handler(), consumer.queue(), republishFailure.getMessage());
            settlement.channel().requeue(settlement.tag());
        }
    }

    private static AMQP.BasicProperties setAside(Settlement settlement, int retries, int delayed, Long delayMillis) {
        Map<String, Object> headers = Headers.withoutDeathHeaders(settlement.properties().getHeaders());
        headers.put(Headers.RETRY_COUNT, retries);
        headers.put(Headers.DELAYED_RETRIES, delayed);
        headers.put(Headers.PETISCO_REDELIVERY_COUNT, retries);
        if (delayMillis == null) {
            headers.remove(Headers.DELAY);
        } else {
            headers.put(Headers.DELAY, String.valueOf(delayMillis));
        }
        headers.put(Headers.PETISCO_QUEUE, settlement.consumer().queue());
        headers.putIfAbsent(Headers.ORIGINAL_ROUTING_KEY, settlement.delivery().getRoutingKey());
        headers.putIfAbsent(Headers.ORIGINAL_EXCHANGE, settlement.delivery().getExchange());
        return republished(settlement, headers);
    }

    /**
     * While the broker blocks publishing, a retry or dead letter cannot be republished: the original waits,
     * unacknowledged, and is settled once publishing is unblocked, on the parking thread (not a handler thread).
     */
    private boolean parkedWhileBlocked(Settlement settlement) {
        if (!publisher.isBlocked()) {
            return false;
        }
        log.warn("the broker blocks publishing: the {} of a message of handler {} from {} waits, unacknowledged, until it "
                + "unblocks", settlement.outcome() instanceof Outcome.Retry ? "retry" : "dead letter", settlement.handler(),
                settlement.consumer().queue());
        try {
            publisher.whenUnblocked().thenRunAsync(() -> {
                if (settlement.channel().isOpen()) {
                    settle(settlement);
                }
                // else the channel closed meanwhile and the broker has put the message back in its queue
            }, parking);
        } catch (RejectedExecutionException stopping) {
            settlement.channel().requeue(settlement.tag());
        }
        return true;
    }

    /** The retried copy's properties; {@code delayMillis} routes it through the delay exchange, null for the retry queue. */
    private static AMQP.BasicProperties retried(Settlement settlement, int retryCount, Long delayMillis) {
        Map<String, Object> headers = Headers.withoutDeathHeaders(settlement.properties().getHeaders());
        headers.put(Headers.RETRY_COUNT, retryCount);
        headers.put(Headers.DELAYED_RETRIES, Headers.delayedRetries(settlement.properties().getHeaders()) + 1);
        if (delayMillis == null) {
            headers.remove(Headers.DELAY);
        } else {
            headers.put(Headers.DELAY, String.valueOf(delayMillis));
        }
        headers.put(Headers.PETISCO_REDELIVERY_COUNT, retryCount);
        headers.put(Headers.PETISCO_QUEUE, settlement.consumer().queue());
        headers.putIfAbsent(Headers.ORIGINAL_ROUTING_KEY, settlement.delivery().getRoutingKey());
        headers.putIfAbsent(Headers.ORIGINAL_EXCHANGE, settlement.delivery().getExchange());
        headers.putIfAbsent(Headers.FIRST_FAILED_AT, Instant.now().toString());
        return republished(settlement, headers);
    }

    private static AMQP.BasicProperties deadLettered(Settlement settlement, Outcome.DeadLettered dead) {
        Map<String, Object> headers = Headers.withoutDeathHeaders(settlement.properties().getHeaders());
        headers.remove(Headers.DELAY);
        Throwable failure = dead.failure();
        headers.putIfAbsent(Headers.ORIGINAL_ROUTING_KEY, settlement.delivery().getRoutingKey());
        headers.putIfAbsent(Headers.ORIGINAL_EXCHANGE, settlement.delivery().getExchange());
        headers.put(Headers.DEAD_LETTER_REASON, dead.reason().wireValue());
        headers.put(Headers.EXCEPTION_CLASS, failure.getClass().getName());
        headers.put(Headers.EXCEPTION_MESSAGE, String.valueOf(DeadLetter.truncate(failure.getMessage())));
        headers.put(Headers.ATTEMPTS, dead.attempts());
        headers.put(Headers.PETISCO_REDELIVERY_COUNT, dead.attempts());
        headers.put(Headers.HANDLER, settlement.handler());
        headers.put(Headers.QUEUE, settlement.consumer().queue());
        headers.put(Headers.PETISCO_QUEUE, settlement.consumer().queue());
        headers.put(Headers.DEAD_LETTERED_AT, Instant.now().toString());
        headers.putIfAbsent(Headers.FIRST_FAILED_AT, headers.get(Headers.DEAD_LETTERED_AT));
        if (failure instanceof InvalidMessageException invalid) {
            List<String> violations = invalid.violations().stream().map(DeadLetter::truncate).limit(50).toList();
            headers.put(Headers.VIOLATIONS, violations);
        }
        return republished(settlement, headers);
    }

    /** The copy's properties, its headers cut to fit one frame of the connection (the dead-letter headers are ours). */
    private static AMQP.BasicProperties republished(Settlement settlement, Map<String, Object> headers) {
        int frameMax = settlement.channel().connection().getFrameMax();
        return settlement.properties().builder().headers(FrameLimits.fitToFrame(headers, frameMax)).deliveryMode(2).build();
    }
}
