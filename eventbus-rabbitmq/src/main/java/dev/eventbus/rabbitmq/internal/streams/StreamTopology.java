package dev.eventbus.rabbitmq.internal.streams;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.StreamRetention;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.TopologyConflictException;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * What a stream subscription needs on the broker: its service's stream queue ({@code x-queue-type=stream}, durable,
 * with the retention arguments), bound to the service's exchange like a queue (the event and command keys, and the
 * declared keys of the subscription's types), and the handler's dead-letter queue for the events it failed on for good.
 * Declaring is idempotent. Thread-safe (no state).
 */
public final class StreamTopology {

    /** The queue argument that makes a queue a stream. */
    public static final String QUEUE_TYPE = "x-queue-type";

    private final Convention convention;
    private final QueueType queueType;

    /**
     * @param convention the subscriber's convention
     * @param queueType  the type of the dead-letter queues (the bus's queue type)
     */
    public StreamTopology(Convention convention, QueueType queueType) {
        this.convention = convention;
        this.queueType = queueType;
    }

    /** The convention of the service whose stream the subscription reads. */
    public Convention publisher(Subscription subscription) {
        return subscription.source().map(source -> source.convention(convention)).orElse(convention);
    }

    /** The stream the subscription reads: {@code org.service.stream} of its source. */
    public String stream(Subscription subscription) {
        return publisher(subscription).stream();
    }

    /**
     * The handler queue name its dead letters are filed under: {@code <subscriber's stream>.<handler>}, so its
     * dead-letter queue is {@code dead_letter.org.service.stream.handler} of the subscribing service.
     */
    public String handlerQueue(Subscription subscription) {
        return convention.stream() + "." + subscription.handlerName();
    }

    /** The handler's dead-letter queue: {@code dead_letter.} + {@link #handlerQueue}. */
    public String deadLetterQueue(Subscription subscription) {
        return convention.deadLetterQueue(handlerQueue(subscription));
    }

    /** The stream queue's arguments: the stream type and the retention. */
    public static Map<String, Object> arguments(StreamRetention retention) {
        Map<String, Object> args = new HashMap<>();
        args.put(QUEUE_TYPE, "stream");
        if (retention.maxAgeArgument() != null) {
            args.put("x-max-age", retention.maxAgeArgument());
        }
        if (retention.maxLengthBytes() != null) {
            args.put("x-max-length-bytes", retention.maxLengthBytes());
        }
        if (retention.maxSegmentSizeBytes() != null) {
            args.put("x-stream-max-segment-size-bytes", retention.maxSegmentSizeBytes());
        }
        return args;
    }

    /**
     * Declares the stream, its bindings and the handler's dead-letter queue over a channel of its own.
     *
     * @throws TopologyConflictException if the stream exists with other arguments (another retention, or a queue of
     *                                   that name that is not a stream)
     * @throws EventBusException         if the broker refuses otherwise
     */
    public void declare(Connection connection, Subscription subscription) {
        Convention publisher = publisher(subscription);
        String stream = publisher.stream();
        StreamRetention retention = subscription.streamOptions().orElseThrow().retention();
        Set<String> keys = new LinkedHashSet<>(publisher.allMessagesBindingKeys());
        for (MessageType<?> type : subscription.types()) {
            keys.add(publisher.routingKey(type)); // a key declared with @RoutingKey is outside the convention's
        }
        String step = "stream '" + stream + "'";
        try (Channel channel = connection.createChannel()) {
            try {
                channel.queueDeclare(stream, true, false, false, arguments(retention));
                step = "exchange '" + publisher.mainExchange() + "'";
                channel.exchangeDeclare(publisher.mainExchange(), "topic", true);
                for (String key : keys) {
                    step = "binding of " + stream + " to " + publisher.mainExchange() + " with " + key;
                    channel.queueBind(stream, publisher.mainExchange(), key);
                }
                String deadLetters = deadLetterQueue(subscription);
                step = "dead-letter queue '" + deadLetters + "'";
                Map<String, Object> dlqArgs = new HashMap<>();
                if (queueType == QueueType.QUORUM) {
                    dlqArgs.put(QUEUE_TYPE, "quorum");
                }
                channel.queueDeclare(deadLetters, true, false, false, dlqArgs);
            } catch (IOException e) {
                throw failure(step, stream, retention, e);
            }
        } catch (IOException | TimeoutException e) {
            throw new EventBusException("cannot declare " + step + ": " + e.getMessage(), e);
        }
    }

    private static String argument(String reply) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("inequivalent arg '([^']+)'").matcher(reply);
        return matcher.find() ? matcher.group(1) : QUEUE_TYPE;
    }

    private static EventBusException failure(String step, String stream, StreamRetention retention, IOException e) {
        String reply = e.getCause() instanceof ShutdownSignalException signal ? signal.getMessage() : e.getMessage();
        if (reply != null && reply.contains("PRECONDITION_FAILED") && step.startsWith("stream")) {
            return new TopologyConflictException(step + " already exists with other arguments than this subscriber declares "
                    + arguments(retention) + " (" + reply + "): every subscriber of a stream must give the same "
                    + "StreamRetention, and a queue of that name must be a stream; delete it or match its arguments",
                    stream, argument(reply), e);
        }
        return new EventBusException("the broker refused to declare " + step + " (" + reply + ")", e);
    }
}
