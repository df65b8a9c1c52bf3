package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterFilter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.DeadLetterResult;
import dev.eventbus.core.DeadLetters;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.rabbitmq.Headers;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.RabbitMqDeadLetters;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.FaultProxy;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter desk against the broker where only a broker can tell: a replay killed or cut off midway loses no
 * letter, concurrent desks never replay one letter twice, and a letter's id is stable on a quorum dead-letter queue
 * (which counts every read) and distinct for a message dead-lettered twice. The scenarios both buses share are in
 * {@code DeadLetterDeskContract}.
 */
@RabbitMqTest
class DeadLetterDeskIT {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterDeskIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int LETTERS = 30;

    /** A handler that dead-letters everything while broken, and records what it handled once mended. */
    private static final class Mending {
        final AtomicBoolean broken = new AtomicBoolean(true);
        final List<String> handled = new CopyOnWriteArrayList<>();

        Subscription subscription() {
            return Subscription.of(OrderPlaced.class, "mending", message -> {
                if (broken.get()) {
                    throw new NonRetryableException("not mended yet");
                }
                handled.add(message.payload().orderId());
            });
        }
    }

    private static Set<String> deadLetters(RabbitMqEventBus bus, RabbitMqEventBus publisher, String queue) {
        return bus.admin().deadLetters().list(DeadLetterFilter.queue(queue)).stream()
                .map(letter -> ((OrderPlaced) publisher.codec().decode(letter.body()).payload()).orderId())
                .collect(Collectors.toSet());
    }

    private static Set<String> publishAndDeadLetter(RabbitMqEventBus bus, String queue) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < LETTERS; i++) {
            bus.publish(new OrderPlaced("o-" + i, i));
            ids.add("o-" + i);
        }
        Await.until(LETTERS + " dead letters", TIMEOUT, () -> bus.admin().deadLetters().count(queue) == LETTERS,
                () -> bus.admin().deadLetters().count(queue) + " dead letters");
        return ids;
    }

    /**
     * After a replay died midway, every letter is either handled or still a dead letter; replaying the rest handles all,
     * at most one of them twice (the one whose copy was confirmed just before the end).
     */
    private static void assertNothingLost(RabbitMqEventBus bus, Mending mending, String queue, Set<String> ids) {
        assertNothingLost(bus, mending, queue, ids, 1);
    }

    /** {@link #assertNothingLost}, with up to {@code duplicates} letters handled twice (a desk's confirm window). */
    private static void assertNothingLost(RabbitMqEventBus bus, Mending mending, String queue, Set<String> ids,
                                          int duplicates) {
        Await.until("every letter handled or back in the dead letters", TIMEOUT, () -> {
            Set<String> accounted = new HashSet<>(mending.handled);
            accounted.addAll(deadLetters(bus, bus, queue));
            return accounted.equals(ids);
        }, () -> mending.handled.size() + " handled, " + bus.admin().deadLetters().count(queue) + " dead letters");
        bus.admin().deadLetters().replay(DeadLetterFilter.queue(queue));
        Await.until("every letter handled", TIMEOUT, () -> new HashSet<>(mending.handled).equals(ids),
                () -> mending.handled.size() + " handled");
        Await.until("the dead letters emptied", TIMEOUT, () -> bus.admin().deadLetters().count(queue) == 0,
                () -> bus.admin().deadLetters().count(queue) + " left");
        assertTrue(mending.handled.size() <= ids.size() + duplicates, "at most " + duplicates + " duplicate(s): "
                + mending.handled.size() + " handled for " + ids.size() + " letters");
    }

    @Test
    void aReplayKilledMidwayLosesNoLetter(TestBroker broker) throws Exception {
        Mending mending = new Mending();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(mending.subscription()));
        bus.admin().configure();
        bus.start();
        String queue = bus.convention().handlerQueue(MessageType.of(OrderPlaced.class), "mending");
        Set<String> ids = publishAndDeadLetter(bus, queue);
        mending.broken.set(false);

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DeskProcess.class.getName(),
                broker.uri(), broker.organization(), broker.service(), queue, "100").redirectErrorStream(false).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(lines::add);
            } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
            }
        });
        reader.start();
        try {
            Await.until("the desk in the middle of its replay", TIMEOUT, () -> lines.contains("replayed 5"),
                    () -> lines.size() + " lines: " + lines);
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the desk died");
            reader.join(5_000);
        }
        assertFalse(lines.stream().anyMatch(line -> line.startsWith("done")), "killed before the end: " + lines);

        assertNothingLost(bus, mending, queue, ids);
    }

    @Test
    void aReplayWithAConfirmWindowKilledMidwayLosesNoLetterAndDuplicatesAtMostTheWindow(TestBroker broker) throws Exception {
        Mending mending = new Mending();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(mending.subscription()));
        bus.admin().configure();
        bus.start();
        String queue = bus.convention().handlerQueue(MessageType.of(OrderPlaced.class), "mending");
        Set<String> ids = publishAndDeadLetter(bus, queue);
        mending.broken.set(false);

        // window 8, 100 ms after each letter removed: killed while removing the letters of the second window, whose
        // copies are all confirmed
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DeskProcess.class.getName(),
                broker.uri(), broker.organization(), broker.service(), queue, "100", "8").redirectErrorStream(false).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(lines::add);
            } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
            }
        });
        reader.start();
        try {
            Await.until("the desk in the middle of its second window", TIMEOUT, () -> lines.contains("replayed 10"),
                    () -> lines.size() + " lines: " + lines);
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the desk died");
            reader.join(5_000);
        }
        assertFalse(lines.stream().anyMatch(line -> line.startsWith("done")), "killed before the end: " + lines);

        assertNothingLost(bus, mending, queue, ids, 8);
    }

    @Test
    void aReplayWithAConfirmWindowReplaysEachLetterOnceAndKeepsToTheLimit(TestBroker broker) {
        Mending mending = new Mending();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(mending.subscription()));
        bus.admin().configure();
        bus.start();
        String queue = bus.convention().handlerQueue(MessageType.of(OrderPlaced.class), "mending");
        Set<String> ids = publishAndDeadLetter(bus, queue);
        mending.broken.set(false);
        // tag::window[]
        RabbitMqDeadLetters desk = bus.admin().deadLetters().confirmWindow(8); // up to 8 copies in flight
        // end::window[]
        assertEquals(8, desk.confirmWindow());
        assertEquals(1, bus.admin().deadLetters().confirmWindow(), "the default: one copy at a time");
        assertThrows(IllegalArgumentException.class, () -> desk.confirmWindow(0));

        List<Long> reported = new CopyOnWriteArrayList<>();
        assertEquals(5, desk.replay(DeadLetterFilter.builder().queue(queue).limit(5).build(), DeadLetters.Attempts.RESET,
                progress -> reported.add(progress.processed())).processed(), "the limit holds within a window");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), reported, "progress after each letter removed");
        assertEquals(LETTERS - 5, desk.replay(DeadLetterFilter.queue(queue)).processed());
        Await.until("every letter handled", TIMEOUT, () -> mending.handled.size() >= LETTERS,
                () -> mending.handled.size() + " handled");
        assertEquals(ids, new HashSet<>(mending.handled));
        assertEquals(LETTERS, mending.handled.size(), "each letter replayed once: " + mending.handled);
        assertEquals(0, desk.count(queue));
    }

    @Test
    void aReplayCutOffFromTheBrokerMidwayStopsAndLosesNoLetter(TestBroker broker) {
        Mending mending = new Mending();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(mending.subscription()));
        bus.admin().configure();
        bus.start();
        String queue = bus.convention().handlerQueue(MessageType.of(OrderPlaced.class), "mending");
        Set<String> ids = publishAndDeadLetter(bus, queue);
        mending.broken.set(false);
        try (FaultProxy proxy = FaultProxy.to(broker)) {
            RabbitMqEventBus desk = broker.bus(b -> b.connection(proxy.settings(broker)));

            EventBusException cut = assertThrows(EventBusException.class, () -> desk.admin().deadLetters().replay(
                    DeadLetterFilter.queue(queue), DeadLetters.Attempts.RESET, progress -> {
                        if (progress.processed() == 5) {
                            proxy.cutConnections();
                        }
                    }));
            assertTrue(cut.getMessage().contains(queue) && cut.getMessage().toLowerCase(java.util.Locale.ROOT)
                    .contains("connection"), "names the queue and the lost connection: " + cut.getMessage());
            log.info("the replay cut off midway ended with: {}", cut.getMessage());
        }

        assertNothingLost(bus, mending, queue, ids);
    }

    @Test
    void twoDesksReplayingOneQueueAtOnceNeverReplayALetterTwice(TestBroker broker) throws Exception {
        Mending mending = new Mending();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(mending.subscription()));
        bus.admin().configure();
        bus.start();
        String queue = bus.convention().handlerQueue(MessageType.of(OrderPlaced.class), "mending");
        Set<String> ids = publishAndDeadLetter(bus, queue);
        mending.broken.set(false);
        RabbitMqEventBus other = broker.bus(b -> b);

        CompletableFuture<Long> first = CompletableFuture.supplyAsync(
                () -> bus.admin().deadLetters().replay(DeadLetterFilter.queue(queue)).processed());
        CompletableFuture<Long> second = CompletableFuture.supplyAsync(
                () -> other.admin().deadLetters().replay(DeadLetterFilter.queue(queue)).processed());

        assertEquals(LETTERS, first.get(60, TimeUnit.SECONDS) + second.get(60, TimeUnit.SECONDS), "replayed in all");
        Await.until("every letter handled", TIMEOUT, () -> mending.handled.size() >= LETTERS,
                () -> mending.handled.size() + " handled");
        assertEquals(ids, new HashSet<>(mending.handled));
        assertEquals(LETTERS, mending.handled.size(), "no letter replayed by both desks: " + mending.handled);
        assertEquals(0, bus.admin().deadLetters().count(queue));
    }

    @Test
    void aLetterKeepsItsIdOnAQuorumQueueAndAMessageDeadLetteredTwiceIsTwoLettersWithEveryHeader(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.queueType(QueueType.QUORUM).subscribe(Subscription.of(OrderPlaced.class,
                "refusing", message -> {
                    throw new NonRetryableException("refused " + message.payload().orderId());
                })));
        bus.admin().configure();
        bus.start();
        String queue = bus.convention().handlerQueue(MessageType.of(OrderPlaced.class), "refusing");
        Message<OrderPlaced> message = Message.of(new OrderPlaced("o-1", 1));
        byte[] body = bus.codec().encode(message);
        bus.admin().deliverTo(queue, body);
        bus.admin().deliverTo(queue, body);
        DeadLetters desk = bus.admin().deadLetters();
        Await.until("two dead letters", TIMEOUT, () -> desk.count(queue) == 2, () -> desk.count(queue) + " dead letters");

        List<DeadLetter> letters = desk.list(DeadLetterFilter.builder().messageId(message.id()).build());
        assertEquals(2, letters.size(), letters::toString);
        assertNotEquals(letters.get(0).id(), letters.get(1).id(), "two dead-letterings, two letters");
        for (int read = 0; read < 3; read++) {
            assertEquals(letters.stream().map(DeadLetter::id).toList(),
                    desk.list(DeadLetterFilter.queue(queue)).stream().map(DeadLetter::id).toList(),
                    "the ids on read " + (read + 2) + " (the quorum queue counts every read in x-delivery-count)");
        }
        DeadLetter shown = desk.show(letters.get(1).id()).orElseThrow();
        assertEquals(DeadLetterReason.NON_RETRYABLE, shown.reason());
        assertEquals("order.placed", shown.messageName());
        assertEquals("non_retryable", shown.headers().get(Headers.DEAD_LETTER_REASON));
        assertEquals("refused o-1", shown.headers().get(Headers.EXCEPTION_MESSAGE));
        assertEquals(queue, shown.headers().get(Headers.PETISCO_QUEUE));
        assertTrue(shown.headers().containsKey(Headers.FIRST_FAILED_AT), "every header: " + shown.headers().keySet());
        assertEquals(message, bus.codec().decode(shown.body()));

        assertEquals(1, desk.discard(DeadLetterFilter.builder().letter(letters.get(0).id()).build()).processed());
        // the letter the discard held without acting on goes back to a quorum queue through its log: a moment later
        Await.until("only the second letter left", TIMEOUT, () -> desk.list(DeadLetterFilter.queue(queue)).stream()
                .map(DeadLetter::id).toList().equals(List.of(letters.get(1).id())), () -> desk.list(DeadLetterFilter.queue(queue)).toString());
    }

    @Test
    void theDeskAsTheDocsShowIt(TestBroker broker) {
        AtomicBoolean smtpDown = new AtomicBoolean(true);
        List<String> mailed = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.retryPolicy(RetryPolicy.of(1, Duration.ofMillis(50)))
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", message -> {
                    if (smtpDown.get()) {
                        throw new IllegalStateException("smtp timeout after 30 s");
                    }
                    mailed.add(message.payload().userId());
                }), Subscription.of(UserCreated.class, "audit", message -> { })));
        bus.admin().configure();
        bus.start();
        for (int i = 0; i < 3; i++) {
            bus.publish(new UserCreated("u-" + i, "user " + i));
        }
        String queue = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");
        String otherQueue = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "audit");
        Await.until("3 dead letters", TIMEOUT, () -> bus.admin().deadLetters().count(queue) == 3,
                () -> bus.admin().deadLetters().count(queue) + " dead letters");
        smtpDown.set(false);

        // tag::desk[]
        DeadLetters desk = bus.admin().deadLetters();
        List<DeadLetter> letters = desk.list(DeadLetterFilter.builder()
                .handler("send_mail_handler").reason(DeadLetterReason.MAX_RETRIES_EXCEEDED)
                .messageName("user.created").errorContains("timeout").newerThan(Duration.ofHours(1))
                .limit(50).build());                                          // left in the queue
        DeadLetter letter = desk.show(letters.get(0).id()).orElseThrow();    // every header and the body

        desk.move(DeadLetterFilter.builder().letter(letter.id()).build(), otherQueue, progress -> { });
        DeadLetterResult replayed = desk.replay(DeadLetterFilter.builder().handler("send_mail_handler").build(),
                DeadLetters.Attempts.RESET, progress -> log.info("{} of {} replayed, {}/s", progress.processed(),
                        progress.total(), Math.round(progress.perSecond())));
        desk.discard(DeadLetterFilter.builder().reason(DeadLetterReason.UNDECODABLE).build());
        desk.purge(queue);                                                    // every letter of one queue
        // end::desk[]

        assertEquals(3, letters.size(), letters::toString);
        assertEquals("smtp timeout after 30 s", letter.exceptionMessage());
        assertEquals(2, replayed.processed(), "the letters not moved");
        Await.until("2 mailed", TIMEOUT, () -> mailed.size() == 2, mailed::toString);
        assertFalse(mailed.contains(((UserCreated) bus.codec().decode(letter.body()).payload()).userId()),
                "the moved letter went to audit only: " + mailed);
    }
}
