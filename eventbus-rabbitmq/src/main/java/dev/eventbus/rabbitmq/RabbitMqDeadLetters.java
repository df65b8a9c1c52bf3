package dev.eventbus.rabbitmq;

import dev.eventbus.rabbitmq.internal.publishing.ConfirmingPublisher;
import dev.eventbus.rabbitmq.internal.publishing.PublisherChannel;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.eventbus.core.Convention;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.DeadLetters;
import dev.eventbus.core.EventBusException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads a handler's dead letters and sends them back to the handler. Thread-safe; each call uses a channel of
 * its own.
 *
 * <p>Dead letters that the broker itself dead-lettered (a rejected message after a failed republish, a quorum
 * queue's delivery limit, petisco's handler queue TTL) carry none of eventbus's headers: they read with reason
 * {@link DeadLetterReason#MAX_RETRIES_EXCEEDED} only if the attempts say so, else with the broker's reason in
 * the exception message.
 */
public final class RabbitMqDeadLetters implements DeadLetters {

    private final Connection connection;
    private final Convention convention;
    private final Supplier<ConfirmingPublisher> publisher;

    RabbitMqDeadLetters(Connection connection, Convention convention, Supplier<ConfirmingPublisher> publisher) {
        this.connection = connection;
        this.convention = convention;
        this.publisher = publisher;
    }

    /** Dead letters waiting in a handler queue's dead-letter queue ({@code dead_letter.<handlerQueue>}). */
    @Override
    public long count(String handlerQueue) {
        return withChannel(channel -> channel.messageCount(convention.deadLetterQueue(handlerQueue)));
    }

    /**
     * Up to {@code max} dead letters of a handler queue, oldest first, left in the queue.
     *
     * @throws EventBusException if the dead-letter queue does not exist
     */
    @Override
    public List<DeadLetter> peek(String handlerQueue, int max) {
        String queue = convention.deadLetterQueue(handlerQueue);
        return withChannel(channel -> {
            List<DeadLetter> letters = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                GetResponse response = channel.basicGet(queue, false);
                if (response == null) {
                    break;
                }
                letters.add(toDeadLetter(response, handlerQueue));
            }
            // closing the channel returns every unacknowledged message to the queue
            return letters;
        });
    }

    /**
     * Sends up to {@code max} dead letters back to their handler's queue only (through the main exchange with the
     * handler's retry key), with the retry counter reset and the dead-letter headers removed. Each is removed from
     * the dead letters once the broker confirmed the copy.
     *
     * @return how many were sent back
     */
    @Override
    public int reprocess(String handlerQueue, int max) {
        String queue = convention.deadLetterQueue(handlerQueue);
        ConfirmingPublisher confirming = publisher.get();
        return withChannel(channel -> {
            int sent = 0;
            while (sent < max) {
                GetResponse response = channel.basicGet(queue, false);
                if (response == null) {
                    break;
                }
                Map<String, Object> headers = Headers.withoutDeathHeaders(response.getProps().getHeaders());
                headers.keySet().removeIf(key -> key.startsWith("eventbus-") && !key.equals(Headers.ORIGINAL_ROUTING_KEY)
                        && !key.equals(Headers.ORIGINAL_EXCHANGE));
                headers.remove(Headers.PETISCO_REDELIVERY_COUNT);
                AMQP.BasicProperties properties = response.getProps().builder().headers(headers).deliveryMode(2).build();
                confirming.publish(convention.mainExchange(), convention.retryRoutingKey(handlerQueue), true, properties,
                        response.getBody(), "reprocessed dead letter of " + handlerQueue);
                channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
                sent++;
            }
            return sent;
        });
    }

    private static DeadLetter toDeadLetter(GetResponse response, String handlerQueue) {
        Map<String, Object> headers = response.getProps().getHeaders() == null ? Map.of() : response.getProps().getHeaders();
        DeadLetterReason reason = DeadLetterReason.fromWire(Headers.asString(headers.get(Headers.DEAD_LETTER_REASON)));
        String exceptionMessage = Headers.asString(headers.get(Headers.EXCEPTION_MESSAGE));
        if (reason == null) {
            reason = DeadLetterReason.MAX_RETRIES_EXCEEDED;
            exceptionMessage = "dead-lettered by the broker: " + brokerReason(headers);
        }
        Instant at;
        try {
            String text = Headers.asString(headers.get(Headers.DEAD_LETTERED_AT));
            at = text == null ? Instant.now() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            at = Instant.now();
        }
        String handler = Headers.asString(headers.get(Headers.HANDLER));
        return new DeadLetter(response.getBody(), handler == null ? handlerQueue.substring(handlerQueue.lastIndexOf('.') + 1) : handler,
                handlerQueue, Headers.originalRoutingKey(headers, response.getEnvelope().getRoutingKey()), reason,
                Headers.asInt(headers.get(Headers.ATTEMPTS)), Headers.asString(headers.get(Headers.EXCEPTION_CLASS)),
                exceptionMessage, at);
    }

    private static String brokerReason(Map<String, Object> headers) {
        Object reason = headers.get("x-first-death-reason");
        return reason == null ? "no reason recorded" : reason.toString();
    }

    @FunctionalInterface
    private interface ChannelWork<T> {
        T apply(Channel channel) throws IOException;
    }

    private <T> T withChannel(ChannelWork<T> work) {
        try (Channel channel = connection.createChannel()) {
            return work.apply(channel);
        } catch (IOException e) {
            String reason = e.getCause() instanceof com.rabbitmq.client.ShutdownSignalException s ? PublisherChannel.describe(s)
                    : e.getMessage();
            throw new EventBusException("cannot read dead letters: " + reason, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new EventBusException("closing the dead-letter channel timed out", e);
        }
    }
}
