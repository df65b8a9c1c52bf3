package dev.eventbus.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageDecodingException;
import dev.eventbus.core.MessageValidator;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one delivery on a handler thread: decode, validate, call the handler, then settle: ack on success; on
 * failure republish to the retry route (with the retry counter) or to the dead-letter route (with the reason),
 * and ack the original only once that republish is confirmed. If the republish itself fails, the original is
 * rejected without requeue, so the broker dead-letters it through the queue's {@code x-dead-letter-exchange}:
 * nothing is lost and nothing loops. Stateless apart from its collaborators; thread-safe.
 */
final class DeliveryProcessor {

    private static final Logger log = LoggerFactory.getLogger(DeliveryProcessor.class);

    private final MessageCodec codec;
    private final MessageValidator validator;
    private final ConfirmingPublisher publisher;
    private final BooleanSupplier stopping;

    DeliveryProcessor(MessageCodec codec, MessageValidator validator, ConfirmingPublisher publisher, BooleanSupplier stopping) {
        this.codec = codec;
        this.validator = validator;
        this.publisher = publisher;
        this.stopping = stopping;
    }

    void process(QueueConsumer consumer, Channel channel, Envelope delivery, AMQP.BasicProperties properties, byte[] body) {
        long tag = delivery.getDeliveryTag();
        if (stopping.getAsBoolean() || !consumer.isConsuming()) {
            // not started before stop/unsubscribe: back to the queue, for the next consumer
            requeue(channel, tag);
            return;
        }
        Map<String, Object> headers = properties.getHeaders();
        int retries = Headers.retryCount(headers);
        String handler = consumer.subscription.handlerName();
        int attempt;
        Throwable failure = null;
        Message<?> message;
        try {
            message = decode(consumer, body);
        } catch (RuntimeException e) {
            // undecodable, unknown or invalid: MessageDecodingException and InvalidMessageException are non-retryable
            message = null;
            failure = e;
        }
        if (message != null) {
            attempt = retries + 1;
            try {
                consumer.subscription.handle(message, new dev.eventbus.core.Delivery(handler, consumer.queue(),
                        Headers.originalRoutingKey(headers, delivery.getRoutingKey()), attempt, delivery.isRedeliver()));
                ack(channel, tag);
                return;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                failure = e;
            }
        } else {
            attempt = 0;
        }
        boolean retriesLeft = retries < consumer.retryPolicy.maxRetries();
        DeadLetterReason reason = DeadLetterReason.forFailure(failure, retriesLeft);
        try {
            if (reason == null) {
                log.warn("handler {} failed on attempt {} of {} for a message on {}; retrying in {} ms: {}", handler, attempt,
                        consumer.retryPolicy.maxRetries() + 1, consumer.queue(), consumer.retryPolicy.delayMillis(), failure.toString());
                retry(consumer, delivery, properties, body, retries + 1);
            } else {
                log.error("handler {} dead-letters a message from {} ({}, attempt {}): {}", handler, consumer.queue(),
                        reason.wireValue(), attempt, failure.toString());
                deadLetter(consumer, delivery, properties, body, reason, attempt, failure);
            }
            ack(channel, tag);
        } catch (RuntimeException republishFailure) {
            log.error("could not republish a failed message of handler {} from {} ({}); rejecting it so the broker "
                    + "dead-letters it to {}", handler, consumer.queue(), republishFailure.getMessage(),
                    consumer.routes.deadLetterRoutingKey(), republishFailure);
            reject(channel, tag);
        }
    }

    private Message<?> decode(QueueConsumer consumer, byte[] body) {
        dev.eventbus.core.Envelope envelope = codec.decodeEnvelope(body);
        if (consumer.type == null) {
            return codec.untyped(envelope);
        }
        validator.validate(envelope.name(), envelope.version(), envelope.attributes());
        Message<?> message = codec.toMessage(envelope);
        if (!handles(consumer, message)) {
            throw new MessageDecodingException(MessageDecodingException.Reason.UNKNOWN_TYPE, envelope.describe()
                    + " arrived at queue '" + consumer.queue() + "' of handler " + consumer.subscription.handlerName()
                    + ", which handles " + consumer.subscription.types() + "; check what is bound to the queue");
        }
        return message;
    }

    /** Whether the consumer's subscription handles the message (a loop: this runs for every delivery). */
    private static boolean handles(QueueConsumer consumer, Message<?> message) {
        for (dev.eventbus.core.MessageType<?> type : consumer.subscription.types()) {
            if (type.name().equals(message.name()) && type.version() == message.version()
                    || type.javaType().isInstance(message.payload())) {
                return true;
            }
        }
        return false;
    }

    private void retry(QueueConsumer consumer, Envelope delivery, AMQP.BasicProperties properties, byte[] body, int retryCount) {
        Map<String, Object> headers = Headers.withoutDeathHeaders(properties.getHeaders());
        headers.put(Headers.RETRY_COUNT, retryCount);
        headers.put(Headers.PETISCO_REDELIVERY_COUNT, retryCount);
        headers.put(Headers.PETISCO_QUEUE, consumer.queue());
        headers.putIfAbsent(Headers.ORIGINAL_ROUTING_KEY, delivery.getRoutingKey());
        headers.putIfAbsent(Headers.ORIGINAL_EXCHANGE, delivery.getExchange());
        publisher.publish(consumer.routes.retryExchange(), consumer.routes.retryRoutingKey(), true,
                republished(properties, headers), body, "retry " + retryCount + " of a message from " + consumer.queue());
    }

    private void deadLetter(QueueConsumer consumer, Envelope delivery, AMQP.BasicProperties properties, byte[] body,
                            DeadLetterReason reason, int attempts, Throwable failure) {
        Map<String, Object> headers = Headers.withoutDeathHeaders(properties.getHeaders());
        headers.putIfAbsent(Headers.ORIGINAL_ROUTING_KEY, delivery.getRoutingKey());
        headers.putIfAbsent(Headers.ORIGINAL_EXCHANGE, delivery.getExchange());
        headers.put(Headers.DEAD_LETTER_REASON, reason.wireValue());
        headers.put(Headers.EXCEPTION_CLASS, failure.getClass().getName());
        headers.put(Headers.EXCEPTION_MESSAGE, String.valueOf(DeadLetter.truncate(failure.getMessage())));
        headers.put(Headers.ATTEMPTS, attempts);
        headers.put(Headers.PETISCO_REDELIVERY_COUNT, attempts);
        headers.put(Headers.HANDLER, consumer.subscription.handlerName());
        headers.put(Headers.QUEUE, consumer.queue());
        headers.put(Headers.DEAD_LETTERED_AT, Instant.now().toString());
        if (failure instanceof InvalidMessageException invalid) {
            List<String> violations = invalid.violations().stream().map(DeadLetter::truncate).limit(50).toList();
            headers.put(Headers.VIOLATIONS, violations);
        }
        publisher.publish(consumer.routes.deadLetterExchange(), consumer.routes.deadLetterRoutingKey(), true,
                republished(properties, headers), body, "dead letter of a message from " + consumer.queue());
    }

    private static AMQP.BasicProperties republished(AMQP.BasicProperties properties, Map<String, Object> headers) {
        return properties.builder().headers(headers).deliveryMode(2).build();
    }

    private static void ack(Channel channel, long tag) {
        try {
            channel.basicAck(tag, false);
        } catch (IOException | RuntimeException e) {
            log.warn("could not ack delivery {} (the channel closed; the broker redelivers it): {}", tag, e.toString());
        }
    }

    private static void reject(Channel channel, long tag) {
        try {
            channel.basicReject(tag, false);
        } catch (IOException | RuntimeException e) {
            log.warn("could not reject delivery {} (the channel closed; the broker redelivers it): {}", tag, e.toString());
        }
    }

    static void requeue(Channel channel, long tag) {
        try {
            channel.basicReject(tag, true);
        } catch (IOException | RuntimeException e) {
            log.debug("could not requeue delivery {}: {}", tag, e.toString());
        }
    }
}
