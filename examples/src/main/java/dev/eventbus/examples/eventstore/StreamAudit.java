package dev.eventbus.examples.eventstore;

import dev.eventbus.core.EventBusException;
import dev.eventbus.core.Message;
import dev.eventbus.core.OffsetStore;
import dev.eventbus.core.StreamOptions;
import dev.eventbus.core.StreamRetention;
import dev.eventbus.core.StreamStart;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.pipeline.Datagen;
import dev.eventbus.examples.pipeline.ObjectCreated;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Seed 004's returning subscriber with a RabbitMQ stream instead of the event store's database: the service
 * {@value #SERVICE} audits every {@link ObjectCreated} that datagen publishes by reading datagen's stream
 * ({@code <organization>.datagen.stream}) with the stream subscription {@value #HANDLER}, its offset kept in an
 * {@link OffsetStore} (a database table with the outbox module's {@code JdbcOffsetStore}). {@link #leave()} stops it,
 * storing its offset; what datagen publishes meanwhile stays in the stream; {@link #rejoin()} starts a new bus that
 * reads on from the stored offset, so it gets what it missed, in chunks of {@code chunkSize}, then what comes live.
 * No replay request, no store of its own: the stream is the log. At least once: after a crash (no {@code leave()}),
 * up to {@code commitEvery} objects come again, which it counts as duplicates and handles once.
 *
 * <p>Thread-safe. Stream events are handled one at a time, in the stream's order.
 */
public final class StreamAudit implements AutoCloseable {

    /** The service name. */
    public static final String SERVICE = "stream_audit";
    /** The stream handler of {@link ObjectCreated}. */
    public static final String HANDLER = "object_stream_audit";

    // tag::options[]
    private static StreamOptions options(OffsetStore offsets, int chunkSize) {
        return StreamOptions.from(StreamStart.first())        // the first time: everything datagen's stream holds
                .offsets(offsets)                               // then: from where it stopped
                .chunkSize(chunkSize)                           // a backlog arrives chunkSize events at a time
                .commitEvery(50)                                // the offset stored every 50 events and on stop
                .retention(StreamRetention.unlimited().maxAge(Duration.ofDays(7)).maxLengthBytes(1_000_000_000L));
    }
    // end::options[]

    private final ServiceBuses buses;
    private final StreamOptions options;
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final List<String> objects = new CopyOnWriteArrayList<>();
    private final AtomicInteger duplicates = new AtomicInteger();
    private volatile RabbitMqEventBus bus;

    private StreamAudit(ServiceBuses buses, OffsetStore offsets, int chunkSize) {
        this.buses = buses;
        this.options = options(offsets, chunkSize);
    }

    /**
     * Declares datagen's stream (bound to datagen's exchange) and starts reading it.
     *
     * @param offsets   where its offset is kept
     * @param chunkSize how many events are in flight to it at most
     * @throws EventBusException if the broker cannot be reached
     */
    public static StreamAudit start(ServiceBuses buses, OffsetStore offsets, int chunkSize) {
        StreamAudit audit = new StreamAudit(buses, offsets, chunkSize);
        audit.rejoin();
        return audit;
    }

    /** Stops reading; the offset is stored, and datagen's stream keeps what is published meanwhile. */
    public synchronized void leave() {
        RabbitMqEventBus current = bus;
        if (current != null) {
            current.stop();
            bus = null;
        }
    }

    /** Reads on from the stored offset: first what it missed, in chunks, then what is published live. */
    public synchronized void rejoin() {
        if (bus != null) {
            return;
        }
        // tag::subscribe[]
        RabbitMqEventBus joined = buses.bus(SERVICE, b -> b.subscribe(
                Subscription.of(ObjectCreated.class, HANDLER, this::audit).from(Datagen.SERVICE).stream(options)));
        // end::subscribe[]
        try {
            joined.admin().configure();
            joined.start();
        } catch (RuntimeException e) {
            joined.stop();
            throw e;
        }
        bus = joined;
    }

    private void audit(Message<ObjectCreated> message) {
        if (!handled.add(message.id())) {
            duplicates.incrementAndGet();
            return;
        }
        objects.add(message.payload().objectId());
    }

    /** The objects audited, in the order handled. */
    public List<String> objects() {
        return List.copyOf(objects);
    }

    /** How many events came again (after a crash, at most {@code commitEvery} each time). */
    public int duplicates() {
        return duplicates.get();
    }

    /** Stops reading. */
    @Override
    public void close() {
        leave();
    }
}
