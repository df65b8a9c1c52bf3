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
import org.jspecify.annotations.Nullable;

/**
 * Reads a handler's dead letters and sends them back to the handler. Thread-safe; each call uses a channel of
 * its own.
 *
 * <p>Dead letters are read whoever wrote them: eventbus (its own headers, with the reason, attempts, failure and
 * time), a petisco consumer (attempts from its {@code redelivery_count}; it records no reason or time), or the broker
 * itself (reason {@link DeadLetterReason#EXPIRED}, {@link DeadLetterReason#REJECTED} or
 * {@link DeadLetterReason#DELIVERY_LIMIT} from its {@code x-death} header).
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
                headers.put(Headers.PETISCO_QUEUE, handlerQueue); // a petisco consumer retries under retry.<queue>
                AMQP.BasicProperties properties = response.getProps().builder().headers(headers).deliveryMode(2).build();
                confirming.publish(convention.mainExchange(), convention.retryRoutingKey(handlerQueue), true, properties,
                        response.getBody(), "reprocessed dead letter of " + handlerQueue);
                channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
                sent++;
            }
            return sent;
        });
    }

    /**
     * Reads a dead letter whoever wrote it: eventbus (its own headers), a petisco consumer (only {@code queue} and
     * {@code redelivery_count}: it dead-letters after its last retry and records no reason or time), or the broker
     * (an {@code x-death} entry of the handler queue itself: its TTL expired, a consumer rejected it, or a quorum queue's
     * delivery limit).
     */
    private static DeadLetter toDeadLetter(GetResponse response, String handlerQueue) {
        Map<String, Object> headers = response.getProps().getHeaders() == null ? Map.of() : response.getProps().getHeaders();
        String handler = Headers.asString(headers.get(Headers.HANDLER));
        handler = handler != null ? handler : handlerQueue.substring(handlerQueue.lastIndexOf('.') + 1);
        String routingKey = Headers.originalRoutingKey(headers, response.getEnvelope().getRoutingKey());
        DeadLetterReason ours = DeadLetterReason.fromWire(Headers.asString(headers.get(Headers.DEAD_LETTER_REASON)));
        if (ours != null) {
            return new DeadLetter(response.getBody(), handler, handlerQueue, routingKey, ours,
                    Headers.asInt(headers.get(Headers.ATTEMPTS)), Headers.asString(headers.get(Headers.EXCEPTION_CLASS)),
                    Headers.asString(headers.get(Headers.EXCEPTION_MESSAGE)), instant(headers.get(Headers.DEAD_LETTERED_AT)));
        }
        Map<?, ?> death = latestDeath(headers);
        if (death != null && handlerQueue.equals(Headers.asString(death.get("queue")))) {
            String brokerReason = String.valueOf(death.get("reason"));
            DeadLetterReason reason = switch (brokerReason) {
                case "rejected" -> DeadLetterReason.REJECTED;
                case "delivery_limit" -> DeadLetterReason.DELIVERY_LIMIT;
                default -> DeadLetterReason.EXPIRED; // expired, maxlen
            };
            return new DeadLetter(response.getBody(), handler, handlerQueue, routingKey, reason, Headers.retryCount(headers),
                    null, "dead-lettered by the broker from " + handlerQueue + ": " + brokerReason, time(death));
        }
        int attempts = Headers.retryCount(headers);
        String writer = headers.containsKey(Headers.PETISCO_REDELIVERY_COUNT) ? "a petisco consumer after " + attempts
                + " attempt(s); petisco records no reason" : "a publisher that recorded no reason";
        // petisco records no time: the last x-death (its last retry's TTL) is the closest known
        return new DeadLetter(response.getBody(), handler, handlerQueue, routingKey, DeadLetterReason.MAX_RETRIES_EXCEEDED,
                attempts, null, "dead-lettered by " + writer, death == null ? null : time(death));
    }

    private static @Nullable Map<?, ?> latestDeath(Map<String, Object> headers) {
        if (headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty() && deaths.get(0) instanceof Map<?, ?> latest) {
            return latest;
        }
        return null;
    }

    private static @Nullable Instant time(Map<?, ?> death) {
        return death.get("time") instanceof java.util.Date date ? date.toInstant() : null;
    }

    private static @Nullable Instant instant(@Nullable Object header) {
        String text = Headers.asString(header);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
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
