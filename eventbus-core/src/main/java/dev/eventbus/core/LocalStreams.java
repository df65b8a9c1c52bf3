package dev.eventbus.core;

import dev.eventbus.core.pipeline.DeliveryPipeline;
import dev.eventbus.core.pipeline.StreamReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream subscriptions of an {@link InMemoryEventBus}, as RabbitMQ reads them: each reads its service's
 * {@link LocalStream} on a thread of its own, from its stored offset or its start, in chunks, through a
 * {@link StreamReader} (the same passing, retrying in place and offset storing as on RabbitMQ); an event that fails for
 * good becomes a {@link DeadLetter} of the handler, filed under queue {@code <stream>.<handler>}.
 *
 * <p>Thread-safe: readers are kept in a concurrent map; each reader's state is its own thread's, apart from the
 * volatile flags and the dead letters (a copy-on-write list).
 */
final class LocalStreams {

    private static final Logger log = LoggerFactory.getLogger(LocalStreams.class);

    private final Convention convention;
    private final InMemoryBroker broker;
    private final MessageCodec codec;
    private final DeliveryPipeline pipeline;
    private final Duration stopTimeout;
    private final String threadPrefix;
    private final Map<String, Reader> readers = new ConcurrentHashMap<>();
    private volatile boolean running;

    LocalStreams(Convention convention, InMemoryBroker broker, MessageCodec codec, DeliveryPipeline pipeline,
                 Duration stopTimeout, String threadPrefix) {
        this.convention = convention;
        this.broker = broker;
        this.codec = codec;
        this.pipeline = pipeline;
        this.stopTimeout = stopTimeout;
        this.threadPrefix = threadPrefix;
    }

    boolean has(String handlerName) {
        return readers.containsKey(handlerName);
    }

    /** Declares the subscription's stream on the broker (so it keeps what is published from now on) and adds its reader. */
    synchronized void add(Subscription subscription) {
        Convention publisher = subscription.source().map(source -> source.convention(convention)).orElse(convention);
        LocalStream stream = broker.stream(publisher.stream(), subscription.streamOptions().orElseThrow().retention());
        for (String key : publisher.allMessagesBindingKeys()) {
            stream.bind(new Endpoint.Binding(publisher.mainExchange(), key));
        }
        for (MessageType<?> type : subscription.types()) {
            stream.bind(new Endpoint.Binding(publisher.mainExchange(), publisher.routingKey(type)));
        }
        Reader reader = new Reader(subscription, stream);
        readers.put(subscription.handlerName(), reader);
        if (running) {
            reader.start();
        }
    }

    synchronized void start() {
        running = true;
        readers.values().forEach(Reader::start);
    }

    void pause(String handlerName) {
        readers.get(handlerName).stop(HandlerStatus.State.PAUSED);
    }

    synchronized void resume(String handlerName) {
        if (running) {
            readers.get(handlerName).start();
        }
    }

    /** Stops every reader after the event it is handling (up to the stop timeout), storing its offset. */
    synchronized void stop() {
        running = false;
        readers.values().forEach(reader -> reader.stop(HandlerStatus.State.STOPPED));
    }

    List<HandlerStatus> statuses() {
        return readers.values().stream().map(reader -> new HandlerStatus(reader.subscription.handlerName(),
                reader.stream.name(), reader.state, null)).toList();
    }

    /** The queue name a stream handler's dead letters are filed under: {@code <subscriber's stream>.<handler>}. */
    String handlerQueue(Subscription subscription) {
        return convention.stream() + "." + subscription.handlerName();
    }

    /** The dead letters of the stream handler whose {@link #handlerQueue} this is; empty if it is none. */
    java.util.Optional<List<DeadLetter>> deadLetters(String handlerQueue) {
        return readers.values().stream().filter(reader -> handlerQueue(reader.subscription).equals(handlerQueue)).findFirst()
                .map(reader -> List.copyOf(reader.deadLetters));
    }

    List<DeadLetter> deadLetters() {
        List<DeadLetter> letters = new ArrayList<>();
        readers.values().forEach(reader -> letters.addAll(reader.deadLetters));
        return letters;
    }

    /** One subscription's reading thread. */
    private final class Reader {

        private final Subscription subscription;
        private final LocalStream stream;
        private final StreamOptions options;
        private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        private volatile HandlerStatus.State state = HandlerStatus.State.IDLE;
        private volatile boolean stopping;
        private @Nullable Thread thread;

        Reader(Subscription subscription, LocalStream stream) {
            this.subscription = subscription;
            this.stream = stream;
            this.options = subscription.streamOptions().orElseThrow();
        }

        synchronized void start() {
            if (thread != null) {
                return;
            }
            stopping = false;
            state = HandlerStatus.State.CONSUMING;
            StreamReader reader = new StreamReader(pipeline, codec, subscription, stream.name(), (endpoint, offset, incoming,
                    dead) -> deadLetters.add(new DeadLetter(incoming.body(), subscription.handlerName(),
                    handlerQueue(subscription), incoming.routingKey(), dead.reason(), dead.attempts(),
                    dead.failure().getClass().getName(), dead.failure().getMessage(), Instant.now())));
            long from = reader.storedOffset().orElse(startOffset());
            Thread started = new Thread(() -> read(reader, from), threadPrefix + "-stream-" + subscription.handlerName());
            started.setDaemon(true);
            thread = started;
            started.start();
        }

        private long startOffset() {
            StreamStart start = options.start();
            return switch (start.position()) {
                case FIRST -> 0;
                case LAST -> Math.max(0, stream.end() - 1);
                case NEXT -> stream.end();
                case OFFSET -> start.offset();
                case TIMESTAMP -> stream.offsetAt(java.util.Objects.requireNonNull(start.timestamp()));
            };
        }

        private void read(StreamReader reader, long from) {
            long next = from;
            try {
                while (!stopping) {
                    for (LocalStream.Entry entry : stream.read(next, options.chunkSize(), 200)) {
                        if (stopping || reader.read(entry.offset(), entry.body(), entry.routingKey(), () -> stopping)
                                == StreamReader.Step.STOPPED) {
                            return;
                        }
                        next = entry.offset() + 1;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                state = HandlerStatus.State.FAILED;
                log.error("stream handler {} stopped reading {}: {}", subscription.handlerName(), stream.name(), e.toString(), e);
            } finally {
                try {
                    reader.commit();
                } catch (RuntimeException e) {
                    log.error("stream handler {}: could not store its offset in {}: {}", subscription.handlerName(),
                            options.offsets(), e.toString());
                }
            }
        }

        void stop(HandlerStatus.State finalState) {
            Thread running;
            synchronized (this) {
                running = thread;
                thread = null;
                stopping = true;
            }
            stream.wake();
            if (running != null && running != Thread.currentThread()) {
                try {
                    running.join(Math.max(1, stopTimeout.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            state = finalState;
        }
    }
}
