package dev.eventbus.core.pipeline;

import dev.eventbus.core.Endpoint;
import dev.eventbus.core.Envelope;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageDecodingException;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.StreamOptions;
import dev.eventbus.core.Subscription;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one {@link Subscription#stream(StreamOptions) stream subscription}'s events, whatever the transport: passes the
 * events of types the subscription does not handle and those before its offset (a broker starts a stream read at the
 * start of a chunk, so some may come again), runs the others through the {@link DeliveryPipeline}, retries a failure in
 * place ({@link StreamOptions#failures()}), hands a final failure to the bus's {@link FailureRecorder} and moves on, and
 * stores the offset in the subscription's {@link dev.eventbus.core.OffsetStore} every
 * {@link StreamOptions#commitEvery()} events and on {@link #commit()}.
 *
 * <p>Not thread-safe: one thread reads a stream, in offset order (the bus's consumer thread for the stream).
 */
public final class StreamReader {

    private static final Logger log = LoggerFactory.getLogger(StreamReader.class);

    /** What became of one event. */
    public enum Step {
        /** The handler took it. */
        HANDLED,
        /** Not for this subscriber (another type), or before its offset: nothing ran. */
        PASSED,
        /** It failed for good and was handed to the {@link FailureRecorder}. */
        RECORDED,
        /** The bus is stopping and the handler was interrupted: the offset stays, the event is read again next time. */
        STOPPED
    }

    /** Records an event that failed for good, e.g. as a dead letter of the handler. */
    @FunctionalInterface
    public interface FailureRecorder {
        /**
         * @param endpoint the stream endpoint of the handler
         * @param offset   the event's offset in the stream
         * @param incoming the event as read
         * @param outcome  why it failed
         */
        void record(Endpoint endpoint, long offset, IncomingDelivery incoming, Outcome.DeadLettered outcome);
    }

    private final DeliveryPipeline pipeline;
    private final MessageCodec codec;
    private final Subscription subscription;
    private final StreamOptions options;
    private final String stream;
    private final List<Endpoint> endpoints;
    private final FailureRecorder recorder;
    private long nextOffset = -1;
    private long committed = -1;
    private int sinceCommit;

    /**
     * @param pipeline     the bus's delivery pipeline
     * @param codec        the bus's codec, to read an event's type before decoding it
     * @param subscription a stream subscription
     * @param stream       the stream's name
     * @param recorder     what to do with an event that failed for good
     */
    public StreamReader(DeliveryPipeline pipeline, MessageCodec codec, Subscription subscription, String stream,
                        FailureRecorder recorder) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.subscription = Objects.requireNonNull(subscription, "subscription");
        this.options = subscription.streamOptions().orElseThrow(() -> new IllegalArgumentException(subscription
                + " is not a stream subscription"));
        this.stream = Objects.requireNonNull(stream, "stream");
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.endpoints = subscription.receivesAll() ? List.of(new Endpoint(subscription, null, stream, List.of()))
                : subscription.types().stream().map(type -> new Endpoint(subscription, type, stream, List.of())).toList();
    }

    /** The offset stored for this subscriber, read from its store; empty the first time. Sets where reading resumes. */
    public OptionalLong storedOffset() {
        OptionalLong stored = options.offsets().load(stream, subscription.handlerName());
        if (stored.isPresent()) {
            nextOffset = stored.getAsLong();
            committed = nextOffset;
        }
        return stored;
    }

    /** The offset of the next event to handle; -1 before the first event when nothing was stored. */
    public long nextOffset() {
        return nextOffset;
    }

    /**
     * Handles one event on the calling thread; call in offset order. Blocks while a failure is retried in place.
     *
     * @param offset     the event's offset in the stream
     * @param body       its body
     * @param routingKey the routing key it was published with
     * @param stopping   whether the bus is stopping (a retry in place then gives up, leaving the offset)
     * @return what became of it
     */
    public Step read(long offset, byte[] body, String routingKey, java.util.function.BooleanSupplier stopping) {
        if (offset < nextOffset) {
            return Step.PASSED;
        }
        Endpoint endpoint = endpointOf(body);
        if (endpoint == null) {
            advance(offset);
            return Step.PASSED;
        }
        int retries = 0;
        while (true) {
            IncomingDelivery incoming = new IncomingDelivery(body, routingKey, retries, retries > 0);
            Outcome outcome = pipeline.process(endpoint, options.failures(), incoming);
            if (outcome instanceof Outcome.Handled) {
                advance(offset);
                return Step.HANDLED;
            }
            if (outcome instanceof Outcome.DeadLettered dead) {
                log.warn("stream handler {} failed on the event at offset {} of {} ({}, after {} attempt(s)): recorded as a "
                        + "dead letter and passed: {}", subscription.handlerName(), offset, stream, dead.reason().wireValue(),
                        dead.attempts(), dead.failure().toString());
                recorder.record(endpoint, offset, incoming, dead);
                advance(offset);
                return Step.RECORDED;
            }
            if (outcome instanceof Outcome.Requeue || stopping.getAsBoolean()) {
                return Step.STOPPED;
            }
            Outcome.Retry retry = (Outcome.Retry) outcome;
            try {
                Thread.sleep(retry.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Step.STOPPED;
            }
            retries = retry.attempt();
        }
    }

    /** Stores the offset if it moved since it was last stored. */
    public void commit() {
        if (nextOffset >= 0 && nextOffset != committed) {
            options.offsets().store(stream, subscription.handlerName(), nextOffset);
            committed = nextOffset;
            sinceCommit = 0;
        }
    }

    private void advance(long offset) {
        nextOffset = offset + 1;
        if (++sinceCommit >= options.commitEvery()) {
            commit();
        }
    }

    /** The endpoint of the event's type, or null if this subscriber does not handle it; the first for an undecodable one. */
    private @Nullable Endpoint endpointOf(byte[] body) {
        if (subscription.receivesAll()) {
            return endpoints.get(0);
        }
        Envelope envelope;
        try {
            envelope = codec.decodeEnvelope(body);
        } catch (MessageDecodingException e) {
            return endpoints.get(0); // the pipeline records it as undecodable
        }
        for (Endpoint endpoint : endpoints) {
            MessageType<?> type = endpoint.type();
            if (type != null && type.name().equals(envelope.name()) && type.version() == envelope.version()) {
                return endpoint;
            }
        }
        return null;
    }
}
