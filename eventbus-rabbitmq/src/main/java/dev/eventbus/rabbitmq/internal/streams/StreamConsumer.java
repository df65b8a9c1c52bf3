package dev.eventbus.rabbitmq.internal.streams;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.StreamOptions;
import dev.eventbus.core.StreamStart;
import dev.eventbus.core.Subscription;
import dev.eventbus.core.pipeline.DeliveryPipeline;
import dev.eventbus.core.pipeline.IncomingDelivery;
import dev.eventbus.core.pipeline.Outcome;
import dev.eventbus.core.pipeline.StreamReader;
import dev.eventbus.rabbitmq.Headers;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one stream subscription's stream over AMQP 0.9.1: a channel of its own with {@code basic.qos} of the chunk size
 * (a stream consumer must have one), {@code basic.consume} with {@code x-stream-offset} (the stored offset, else the
 * subscription's start) and manual acknowledgements, which for a stream only give the broker credit for the next chunk.
 * Each event is handed from the client's dispatch thread to this subscription's own handler thread
 * ({@code eventbus-stream-<handler>}), so events are handled one at a time, in the stream's order, through a
 * {@link StreamReader}, and a slow handler never holds the connection's dispatch threads; a failure recorded for good is
 * published (with confirms) to the handler's dead-letter queue. At most {@code chunkSize} events wait for the thread
 * (the prefetch).
 *
 * <p>Thread-safe: the handler thread handles under {@code reading}; {@link #stop} lets it finish the event it is
 * handling (up to the stop timeout), then stores the offset under the same lock.
 */
final class StreamConsumer {

    private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
    /** The delivery header with an event's offset in the stream, and the consumer argument that says where to start. */
    static final String OFFSET = "x-stream-offset";
    /** Our header on a stream dead letter: the event's offset in its stream. */
    static final String STREAM_OFFSET_HEADER = "eventbus-stream-offset";

    private final Subscription subscription;
    private final StreamOptions options;
    private final String stream;
    private final String deadLetterQueue;
    private final MessageCodec codec;
    private final DeliveryPipeline pipeline;
    private final ReentrantLock reading = new ReentrantLock();
    private final java.time.Duration stopTimeout;
    private volatile java.util.concurrent.@Nullable ExecutorService handlerThread;
    private volatile @Nullable Channel channel;
    private volatile @Nullable Channel recordChannel;
    private volatile boolean stopping;
    private volatile HandlerStatus.State state = HandlerStatus.State.IDLE;
    private volatile @Nullable String detail;
    private @Nullable StreamReader reader;
    /** The consumer whose deliveries count; deliveries of a consumer replaced after a gap are passed. */
    private volatile String consumerTag = "";
    /** The offset a gap was last seen at (a read from there was started), or -1. Guarded by {@code reading}. */
    private long gapAt = -1;
    private final java.util.concurrent.atomic.AtomicInteger subscriptions = new java.util.concurrent.atomic.AtomicInteger();

    StreamConsumer(Subscription subscription, String stream, String deadLetterQueue, MessageCodec codec, DeliveryPipeline pipeline,
                   java.time.Duration stopTimeout) {
        this.stopTimeout = stopTimeout;
        this.subscription = subscription;
        this.options = subscription.streamOptions().orElseThrow();
        this.stream = stream;
        this.deadLetterQueue = deadLetterQueue;
        this.codec = codec;
        this.pipeline = pipeline;
    }

    String handlerName() {
        return subscription.handlerName();
    }

    Subscription subscription() {
        return subscription;
    }

    HandlerStatus status() {
        return new HandlerStatus(subscription.handlerName(), stream, state, detail);
    }

    /** Opens the channels and consumes from the stored offset, or the subscription's start. */
    void start(Connection connection) {
        reading.lock();
        try {
            stopping = false;
            StreamReader fresh = new StreamReader(pipeline, codec, subscription, stream, this::record);
            OptionalLong stored = fresh.storedOffset();
            reader = fresh;
            Object from = stored.isPresent() ? (Object) stored.getAsLong() : argument(options.start());
            Channel consuming = connection.createChannel();
            Channel recording = connection.createChannel();
            recording.confirmSelect();
            consuming.basicQos(options.chunkSize());
            Map<String, Object> args = new HashMap<>();
            args.put(OFFSET, from);
            channel = consuming;
            recordChannel = recording;
            handlerThread = java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "eventbus-stream-" + subscription.handlerName());
                thread.setDaemon(true);
                return thread;
            });
            consumerTag = "eventbus-stream-" + subscription.handlerName() + "-" + subscriptions.incrementAndGet();
            gapAt = -1;
            consuming.basicConsume(stream, false, consumerTag, false, false, args, new Deliveries(consuming));
            state = HandlerStatus.State.CONSUMING;
            detail = null;
            log.info("stream handler {} reads {} from {} (chunks of {})", subscription.handlerName(), stream,
                    stored.isPresent() ? "its stored offset " + stored.getAsLong() : options.start().position(), options.chunkSize());
        } catch (IOException e) {
            state = HandlerStatus.State.FAILED;
            detail = e.getMessage();
            throw new EventBusException("cannot read stream '" + stream + "' for handler " + subscription.handlerName()
                    + " (" + (e.getCause() instanceof ShutdownSignalException s ? s.getMessage() : e.getMessage())
                    + "): declare it with admin().configure() first", e);
        } finally {
            reading.unlock();
        }
    }

    /** The {@code x-stream-offset} value of a start: a name, an offset, or a timestamp (AMQP timestamps are whole seconds). */
    static Object argument(StreamStart start) {
        return switch (start.position()) {
            case FIRST -> "first";
            case LAST -> "last";
            case NEXT -> "next";
            case OFFSET -> start.offset();
            case TIMESTAMP -> Date.from(java.util.Objects.requireNonNull(start.timestamp()));
        };
    }

    /** Stops reading: no new event starts, the one being handled finishes, the offset is stored, the channels close. */
    void stop(HandlerStatus.State finalState) {
        stopping = true;
        Channel consuming = channel;
        java.util.concurrent.ExecutorService thread = handlerThread;
        if (thread != null) {
            thread.shutdown(); // events waiting see stopping and are left for the next read
            try {
                if (!thread.awaitTermination(stopTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    log.warn("stream handler {} still running after the stop timeout of {} ms: interrupting it; the event is "
                            + "read again from the stored offset", subscription.handlerName(), stopTimeout.toMillis());
                    thread.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                thread.shutdownNow();
            }
        }
        reading.lock();
        try {
            StreamReader current = reader;
            if (current != null) {
                current.commit();
            }
            closeQuietly(consuming);
            closeQuietly(recordChannel);
            channel = null;
            recordChannel = null;
            handlerThread = null;
            state = finalState;
        } finally {
            reading.unlock();
        }
    }

    private void handle(Channel consuming, String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
            throws IOException {
        Object offsetHeader = properties.getHeaders() == null ? null : properties.getHeaders().get(OFFSET);
        if (!(offsetHeader instanceof Number offset)) {
            log.warn("stream handler {}: a delivery from {} has no {} header; acknowledged and passed",
                    subscription.handlerName(), stream, OFFSET);
            consuming.basicAck(envelope.getDeliveryTag(), false);
            return;
        }
        reading.lock();
        try {
            StreamReader current = reader;
            if (stopping || current == null || consuming != channel) {
                return; // the channel closes; the event is read again from the stored offset
            }
            if (!tag.equals(consumerTag)) {
                consuming.basicAck(envelope.getDeliveryTag(), false); // of a consumer replaced after a gap
                return;
            }
            long expected = current.nextOffset();
            if (expected >= 0 && offset.longValue() > expected && gapAt != expected) {
                // a gap: the client's automatic recovery subscribed again with the original x-stream-offset (next or
                // last), skipping what was published while the connection was down. Read on from where we are instead
                consuming.basicAck(envelope.getDeliveryTag(), false);
                gapAt = expected;
                resubscribe(consuming, expected, offset.longValue());
                return;
            }
            if (expected >= 0 && offset.longValue() > expected) {
                log.warn("stream handler {}: {} no longer holds offsets {} to {} (retention deleted them); reading on from {}",
                        subscription.handlerName(), stream, expected, offset.longValue() - 1, offset.longValue());
            }
            StreamReader.Step step = current.read(offset.longValue(), body, Headers.originalRoutingKey(properties.getHeaders(),
                    envelope.getRoutingKey()), () -> stopping);
            if (step != StreamReader.Step.STOPPED) {
                consuming.basicAck(envelope.getDeliveryTag(), false); // credit for the next chunk
            }
        } finally {
            reading.unlock();
        }
    }

    /** Replaces the consumer by one reading from {@code from}. Caller holds {@code reading}, on the handler thread. */
    private void resubscribe(Channel consuming, long from, long arrived) throws IOException {
        log.warn("stream handler {}: the event at offset {} of {} arrived while the next to handle is {} (the connection "
                + "recovered); reading again from {}", subscription.handlerName(), arrived, stream, from, from);
        String old = consumerTag;
        consumerTag = "eventbus-stream-" + subscription.handlerName() + "-" + subscriptions.incrementAndGet();
        try {
            consuming.basicCancel(old);
        } catch (IOException | RuntimeException e) {
            log.debug("cancelling stream consumer {} failed: {}", old, e.toString());
        }
        Map<String, Object> args = new HashMap<>();
        args.put(OFFSET, from);
        consuming.basicConsume(stream, false, consumerTag, false, false, args, new Deliveries(consuming));
    }

    /** Publishes an event that failed for good to the handler's dead-letter queue, with why; logged if that fails too. */
    private void record(Endpoint endpoint, long offset, IncomingDelivery incoming, Outcome.DeadLettered dead) {
        Map<String, Object> headers = new HashMap<>();
        headers.put(Headers.DEAD_LETTER_REASON, dead.reason().wireValue());
        headers.put(Headers.ATTEMPTS, dead.attempts());
        headers.put(Headers.HANDLER, subscription.handlerName());
        headers.put(Headers.QUEUE, stream);
        headers.put(Headers.ORIGINAL_ROUTING_KEY, incoming.routingKey());
        headers.put(Headers.EXCEPTION_CLASS, dead.failure().getClass().getName());
        String message = dead.failure().getMessage();
        if (message != null) {
            headers.put(Headers.EXCEPTION_MESSAGE, dev.eventbus.core.DeadLetter.truncate(message));
        }
        headers.put(Headers.DEAD_LETTERED_AT, Instant.now().toString());
        headers.put(STREAM_OFFSET_HEADER, offset);
        Channel recording = recordChannel;
        try {
            if (recording == null) {
                throw new IOException("the stream consumer is stopped");
            }
            recording.basicPublish("", deadLetterQueue, true, new AMQP.BasicProperties.Builder().headers(headers)
                    .deliveryMode(2).contentType("application/json").build(), incoming.body());
            recording.waitForConfirmsOrDie(10_000);
        } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.error("stream handler {}: could not record the event at offset {} of {} in {} ({}); it is passed, "
                    + "read it again from the stream at that offset", subscription.handlerName(), offset, stream,
                    deadLetterQueue, e.toString());
        }
    }

    private static void closeQuietly(@Nullable Channel channel) {
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.debug("closing a stream channel failed", e);
            }
        }
    }

    /** The deliveries of one channel, on the client's dispatch thread of that channel (in order). */
    private final class Deliveries extends DefaultConsumer {

        Deliveries(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            java.util.concurrent.ExecutorService thread = handlerThread;
            if (thread == null || stopping) {
                return; // stopping: read again from the stored offset
            }
            try {
                thread.execute(() -> {
                    try {
                        handle(getChannel(), consumerTag, envelope, properties, body);
                    } catch (IOException | RuntimeException e) {
                        log.warn("stream handler {}: could not acknowledge an event of {} ({}); the channel's recovery "
                                + "delivers it again", subscription.handlerName(), stream, e.toString());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stoppingNow) {
                log.debug("stream handler {} is stopping: an event of {} is left for the next read", subscription.handlerName(), stream);
            }
        }

        @Override
        public void handleCancel(String consumerTag) {
            state = HandlerStatus.State.FAILED;
            detail = "the broker cancelled the consumer of stream '" + stream + "' (was it deleted?)";
            log.error("stream handler {}: {}", subscription.handlerName(), detail);
        }
    }
}
