package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Delivery;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.InMemoryOffsetStore;
import dev.eventbus.core.OffsetStore;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.StreamOptions;
import dev.eventbus.core.StreamRetention;
import dev.eventbus.core.StreamStart;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.TopologyConflictException;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqCtl;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Stream subscriptions on the broker: each start position, a returning subscriber resuming from its stored offset, the
 * catch-up of a backlog in chunks, the retention arguments of the declared stream, and what a handler failure does.
 * Every test has its own organization, so its own stream ({@code <org>.<service>.stream}), deleted after it.
 */
@RabbitMqTest
class StreamSubscriptionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUIET = Duration.ofMillis(500);

    private static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "o-" + i).toList();
    }

    private static void publish(RabbitMqEventBus bus, int from, int to) {
        bus.publish(ids(from, to).stream().map(id -> new OrderPlaced(id, 1)).toList());
    }

    private static Subscription reading(String handler, List<String> received, StreamOptions options) {
        return Subscription.of(OrderPlaced.class, handler, m -> received.add(m.payload().orderId())).stream(options);
    }

    /** A bus with the stream subscription, its stream declared, not started. */
    private static RabbitMqEventBus declared(TestBroker broker, Subscription subscription) {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(subscription));
        bus.admin().configure();
        return bus;
    }

    @Test
    void readsFromFirstFromAnOffsetFromLastAndFromNext(TestBroker broker) {
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> fromOffset = new CopyOnWriteArrayList<>();
        List<String> last = new CopyOnWriteArrayList<>();
        List<String> next = new CopyOnWriteArrayList<>();
        RabbitMqEventBus publisher = declared(broker, reading("first", first, StreamOptions.from(StreamStart.first())));
        publish(publisher, 0, 10); // offsets 0..9 of a new stream

        RabbitMqEventBus readers = broker.bus(b -> b
                .subscribe(reading("first", first, StreamOptions.from(StreamStart.first())))
                .subscribe(reading("from_offset", fromOffset, StreamOptions.from(StreamStart.offset(6))))
                .subscribe(reading("last", last, StreamOptions.from(StreamStart.last())))
                .subscribe(reading("next", next, StreamOptions.from(StreamStart.next()))));
        readers.admin().configure();
        readers.start();
        Await.received("first", 10, first, TIMEOUT);
        Await.received("from_offset", 4, fromOffset, TIMEOUT);
        Await.until("last reads the last chunk", TIMEOUT, () -> last.contains("o-9"), last::toString);
        publish(publisher, 10, 12);

        Await.received("next", 2, next, TIMEOUT);
        Await.received("first", 12, first, TIMEOUT);
        assertEquals(ids(0, 12), first, "first: every event the stream holds, in order");
        Await.received("from_offset", 6, fromOffset, TIMEOUT);
        assertEquals(ids(6, 12), fromOffset, "offset 6: the events from offset 6 on, none before (the chunk's head is passed)");
        assertEquals(List.of("o-10", "o-11"), next, "next: only what was published once it ran");
        Await.until("last also gets what came after", TIMEOUT, () -> last.contains("o-11"), last::toString);
        assertEquals(last.stream().distinct().toList(), last, "no event twice");
        assertEquals(ids(12 - last.size(), 12), last, "last: the tail of the stream from its last chunk, in order");
    }

    @Test
    void readsFromATimestamp(TestBroker broker) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        RabbitMqEventBus publisher = declared(broker, reading("audit", received, StreamOptions.from(StreamStart.first())));
        publish(publisher, 0, 5);
        // AMQP timestamps are whole seconds: let a full second pass so the instant lies after the first batch's second
        Instant firstBatchDone = Instant.now();
        Instant start = firstBatchDone.plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Thread.sleep(Duration.between(Instant.now(), start).toMillis() + 50);
        publish(publisher, 5, 10);

        RabbitMqEventBus reader = declared(broker, reading("by_time", received, StreamOptions.from(StreamStart.timestamp(start))));
        reader.start();

        Await.received("by_time", 5, received, TIMEOUT);
        Await.quietFor("no event written before " + start, QUIET, () -> received.size() > 5);
        assertEquals(ids(5, 10), received, "the events written at or after " + start);
    }

    @Test
    void aReturningSubscriberResumesFromItsStoredOffsetWithNothingMissedAndNothingRepeated(TestBroker broker) {
        OffsetStore offsets = new InMemoryOffsetStore();
        List<String> received = new CopyOnWriteArrayList<>();
        StreamOptions options = StreamOptions.from(StreamStart.first()).offsets(offsets).commitEvery(7);
        RabbitMqEventBus publisher = broker.bus(b -> b);
        RabbitMqEventBus first = declared(broker, reading("audit", received, options));
        first.start();
        publish(publisher, 0, 100);
        Await.received("audit", 100, received, TIMEOUT);
        first.stop();
        String stream = broker.convention().stream();
        assertEquals(100L, offsets.load(stream, "audit").orElseThrow(), "stop stores the offset after the last event handled");

        publish(publisher, 100, 250); // while the subscriber is away
        RabbitMqEventBus returning = declared(broker, reading("audit", received, options.chunkSize(25)));
        returning.start();

        Await.received("audit", 250, received, TIMEOUT);
        Await.until("the offset stored as the subscriber goes", TIMEOUT, () -> {
            returning.stop();
            return offsets.load(stream, "audit").orElseThrow() == 250L;
        }, () -> offsets.load(stream, "audit").toString());
        assertEquals(ids(0, 250), received, "every event once, in order: what it missed, after what it had");
    }

    @Test
    void aBacklogOf5000EventsArrivesInChunksAndInOrder(TestBroker broker) {
        OffsetStore offsets = new InMemoryOffsetStore();
        List<String> received = new CopyOnWriteArrayList<>();
        RabbitMqEventBus publisher = declared(broker, reading("catch_up", received, StreamOptions.from(StreamStart.first())));
        for (int batch = 0; batch < 5000; batch += 500) {
            publish(publisher, batch, batch + 500); // the backlog, before the subscriber first runs
        }
        String stream = broker.convention().stream();
        List<Long> storedWhileReading = new CopyOnWriteArrayList<>();
        Subscription subscription = Subscription.of(OrderPlaced.class, "catch_up", m -> {
            received.add(m.payload().orderId());
            if (received.size() % 1000 == 1) {
                storedWhileReading.add(offsets.load(stream, "catch_up").orElse(-1));
            }
        }).stream(StreamOptions.from(StreamStart.first()).offsets(offsets).chunkSize(100).commitEvery(250));
        RabbitMqEventBus reader = declared(broker, subscription);
        reader.start();

        Await.received("catch_up", 5000, received, Duration.ofSeconds(120));
        assertEquals(ids(0, 5000), received, "the backlog in the stream's order, each event once");
        assertEquals(5000L, offsets.load(stream, "catch_up").orElseThrow(), "the offset stored every 250 events");
        assertEquals(List.of(-1L, 1000L, 2000L, 3000L, 4000L), storedWhileReading,
                "the offset stored as it goes (every 250 events), not only at the end");
    }

    @Test
    void theStreamIsDeclaredWithItsRetentionAndBoundToTheServicesExchange(TestBroker broker) {
        StreamRetention retention = StreamRetention.unlimited().maxAge(Duration.ofDays(7)).maxLengthBytes(20_000_000)
                .maxSegmentSizeBytes(1_000_000);
        declared(broker, reading("audit", new ArrayList<>(), StreamOptions.from(StreamStart.first()).retention(retention)));

        String stream = broker.convention().stream();
        RabbitMqCtl.QueueInfo info = broker.ctl().listQueues().stream().filter(q -> q.name().equals(stream)).findFirst()
                .orElseThrow(() -> new AssertionError("no stream " + stream));
        assertTrue(info.durable());
        assertEquals("stream", String.valueOf(info.arguments().get("x-queue-type")));
        assertEquals("604800s", String.valueOf(info.arguments().get("x-max-age")));
        assertEquals("20000000", String.valueOf(info.arguments().get("x-max-length-bytes")));
        assertEquals("1000000", String.valueOf(info.arguments().get("x-stream-max-segment-size-bytes")));
        assertTrue(broker.ctl().listBindings().stream().anyMatch(binding -> binding.destination().equals(stream)
                && binding.source().equals(broker.convention().mainExchange())
                && binding.routingKey().equals(broker.convention().mainExchange() + ".*.event.#")), "bound like a queue");

        TopologyConflictException conflict = assertThrows(TopologyConflictException.class, () -> declared(broker,
                reading("other", new ArrayList<>(), StreamOptions.from(StreamStart.first())
                        .retention(StreamRetention.unlimited().maxAge(Duration.ofDays(1))))));
        assertEquals(stream, conflict.name());
        assertTrue(conflict.getMessage().contains("same StreamRetention"), conflict.getMessage());
    }

    @Test
    void aFailingEventIsRetriedInPlaceThenRecordedAsADeadLetterAndTheStreamMovesOn(TestBroker broker) {
        List<String> attempts = new CopyOnWriteArrayList<>();
        List<Integer> attemptNumbers = new CopyOnWriteArrayList<>();
        Subscription subscription = Subscription.of(OrderPlaced.class, "audit", m -> {
            attempts.add(m.payload().orderId());
            Delivery.current().ifPresent(d -> attemptNumbers.add(d.attempt()));
            if (m.payload().orderId().equals("o-1")) {
                throw new IllegalStateException("refused by the test");
            }
        }).stream(StreamOptions.from(StreamStart.first()).failures(RetryPolicy.of(2, Duration.ofMillis(50))));
        RabbitMqEventBus bus = declared(broker, subscription);
        bus.start();
        publish(bus, 0, 3);

        Await.until("o-2 handled after o-1 failed", TIMEOUT, () -> attempts.contains("o-2"), attempts::toString);
        assertEquals(List.of("o-0", "o-1", "o-1", "o-1", "o-2"), attempts, "o-1 tried 1 + 2 times, in place, before o-2");
        assertEquals(List.of(1, 1, 2, 3, 1), attemptNumbers);
        String handlerQueue = broker.convention().stream() + ".audit";
        DeadLetter letter = Await.deadLetter(bus, handlerQueue, DeadLetterReason.MAX_RETRIES_EXCEEDED, TIMEOUT);
        assertEquals("audit", letter.handler());
        assertEquals(3, letter.attempts());
        assertEquals(IllegalStateException.class.getName(), letter.exceptionClass());
        assertTrue(new String(letter.body(), java.nio.charset.StandardCharsets.UTF_8).contains("o-1"));
        assertEquals(HandlerStatus.State.CONSUMING, bus.health().handlers().get(0).state());
    }

    @Test
    void aSubscriberHandlesOnlyItsTypesAndPassesTheOthers(TestBroker broker) {
        List<String> orders = new CopyOnWriteArrayList<>();
        OffsetStore offsets = new InMemoryOffsetStore();
        RabbitMqEventBus bus = declared(broker, reading("orders", orders, StreamOptions.from(StreamStart.first()).offsets(offsets)));
        bus.start();
        bus.publish(new UserCreated("u-1", "Ada"));
        bus.publish(new OrderPlaced("o-0", 1));
        bus.publish(new UserCreated("u-2", "Bob"));
        bus.publish(new OrderPlaced("o-1", 1));

        Await.received("orders", 2, orders, TIMEOUT);
        bus.stop();
        assertEquals(List.of("o-0", "o-1"), orders);
        assertEquals(4L, offsets.load(broker.convention().stream(), "orders").orElseThrow(),
                "the offset moved past the events of other types it passed, to after o-1 (offset 3)");
    }

    @Test
    void aSubscriberFromNextMissesNothingPublishedWhileItsConnectionWasDown(TestBroker broker) {
        List<String> received = new CopyOnWriteArrayList<>();
        RabbitMqEventBus publisher = broker.bus(b -> b);
        try (dev.eventbus.testkit.FaultProxy proxy = dev.eventbus.testkit.FaultProxy.to(broker)) {
            RabbitMqEventBus bus = broker.bus(b -> b.connection(proxy.settings(broker).withRecoveryInterval(Duration.ofSeconds(3)))
                    .subscribe(reading("audit", received, StreamOptions.from(StreamStart.next()))));
            bus.admin().configure();
            bus.start();
            publish(publisher, 0, 3);
            Await.received("audit", 3, received, TIMEOUT);

            proxy.cutConnections(); // the client reconnects after 3 s, and re-subscribes with x-stream-offset "next"
            publish(publisher, 3, 7);
            Await.until("the bus reconnected", TIMEOUT, () -> proxy.openConnections() >= 2 && bus.health().healthy(),
                    () -> bus.health().toString());
            publish(publisher, 7, 8);

            Await.received("audit", 8, received, TIMEOUT);
            assertEquals(ids(0, 8), received, "what was published while the connection was down too, in order, once");
        }
    }

    @Test
    void pauseStoresTheOffsetAndResumeReadsOnFromIt(TestBroker broker) {
        List<String> received = new CopyOnWriteArrayList<>();
        RabbitMqEventBus publisher = broker.bus(b -> b);
        RabbitMqEventBus bus = declared(broker, reading("audit", received, StreamOptions.from(StreamStart.first())));
        bus.start();
        publish(publisher, 0, 5);
        Await.received("audit", 5, received, TIMEOUT);
        bus.pause("audit");
        assertEquals(HandlerStatus.State.PAUSED, bus.health().handlers().get(0).state());
        publish(publisher, 5, 10);
        bus.resume("audit");

        Await.received("audit", 10, received, TIMEOUT);
        assertEquals(ids(0, 10), received);
        Set<String> unique = new HashSet<>(received);
        assertEquals(10, unique.size());
    }
}
