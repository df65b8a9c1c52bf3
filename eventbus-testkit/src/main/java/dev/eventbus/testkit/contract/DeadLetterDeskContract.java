package dev.eventbus.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterFilter;
import dev.eventbus.core.DeadLetterProgress;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.DeadLetterResult;
import dev.eventbus.core.DeadLetters;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter desk ({@link DeadLetters}) every bus shares: list with filters, show, replay (resetting or keeping the
 * attempts), move, discard and purge, and a replay that ends after the letters it started with even when they fail
 * again. A bus runs it as it runs the {@link EventBusContract}: by extending this class and returning its
 * {@link ContractBuses}.
 */
public abstract class DeadLetterDeskContract extends ContractFixture {

    /** How long a scenario waits for an asynchronous outcome. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** How long a scenario watches for something that must not happen. */
    protected static final Duration QUIET = Duration.ofMillis(400);

    /**
     * The desk a scenario works with. Default is {@code bus.admin().deadLetters()}; a subclass may return another
     * configuration of it (e.g. the RabbitMQ desk with a confirm window), which must keep every scenario.
     *
     * @param bus the scenario's bus
     * @return its desk
     */
    protected DeadLetters desk(EventBus bus) {
        return bus.admin().deadLetters();
    }

    private String queue(Class<?> type, String handler) {
        return fixture().convention("desk").handlerQueue(MessageType.of(type), handler);
    }

    @Test
    void listFindsTheLettersByReasonMessageAgeAndErrorWithTheirIdsAndFailureTimes() {
        EventBus bus = fixture().start(BusSpec.of("desk", Subscription.handling(TaskCreated.class, "picky", (message, delivery) -> {
            if (message.payload().seq() % 2 == 0) {
                throw new NonRetryableException("even seq " + message.payload().seq());
            }
            throw new IllegalStateException("odd seq " + message.payload().seq());
        })).withRetry(RetryPolicy.of(1, Duration.ofMillis(50))));
        Instant before = Instant.now().minusSeconds(1);
        List<Message<TaskCreated>> sent = new ArrayList<>();
        for (int seq = 0; seq < 4; seq++) {
            Message<TaskCreated> message = Message.of(new TaskCreated("t-" + seq, seq));
            sent.add(message);
            bus.publish(message);
        }
        DeadLetters desk = desk(bus);
        String queue = queue(TaskCreated.class, "picky");
        awaitCount(desk, queue, 4);

        List<DeadLetter> all = desk.list(DeadLetterFilter.ALL);
        assertEquals(4, all.size(), () -> "every letter of the bus's handlers: " + all);
        assertEquals(ids(all), ids(desk.list(DeadLetterFilter.ALL)), "a letter's id is the same on every read");
        assertEquals(sent.stream().map(Message::id).collect(Collectors.toSet()),
                all.stream().map(DeadLetter::messageId).collect(Collectors.toSet()), "the message ids");
        for (DeadLetter letter : all) {
            assertTrue(letter.id().startsWith(letter.messageId() + "/"), "the id names the message: " + letter.id());
            assertEquals("task.created", letter.messageName());
            assertEquals(1, letter.messageVersion());
            assertEquals(queue, letter.queue());
            assertNotNull(letter.firstFailedAt(), () -> "first failure time of " + letter);
            assertNotNull(letter.lastFailedAt(), () -> "last failure time of " + letter);
            assertFalse(letter.firstFailedAt().isAfter(letter.lastFailedAt()), () -> "first failure after the last: " + letter);
            assertTrue(letter.deadLetteredAt() != null && letter.deadLetteredAt().isAfter(before), () -> "when: " + letter);
        }
        DeadLetter odd = all.stream().filter(letter -> letter.reason() == DeadLetterReason.MAX_RETRIES_EXCEEDED)
                .findFirst().orElseThrow();
        assertTrue(odd.firstFailedAt().isBefore(odd.lastFailedAt()), () -> "a retried letter failed twice, at two times: " + odd);

        assertEquals(Set.of("t-0", "t-2"), taskIds(desk.list(DeadLetterFilter.builder()
                .reason(DeadLetterReason.NON_RETRYABLE).build())));
        assertEquals(Set.of("t-3"), taskIds(desk.list(DeadLetterFilter.builder().errorContains("ODD SEQ 3").build())));
        assertEquals(Set.of("t-1"), taskIds(desk.list(DeadLetterFilter.builder().messageId(sent.get(1).id()).build())));
        assertEquals(4, desk.list(DeadLetterFilter.builder().handler("picky").messageName("task.created").messageVersion(1)
                .build()).size());
        assertEquals(0, desk.list(DeadLetterFilter.builder().messageName("task.completed").build()).size());
        assertEquals(0, desk.list(DeadLetterFilter.builder().messageVersion(2).build()).size());
        assertEquals(0, desk.list(DeadLetterFilter.builder().newerThan(Duration.ofMillis(1)).deadLetteredAfter(
                Instant.now().plusSeconds(60)).build()).size(), "none dead-lettered in the future");
        assertEquals(4, desk.list(DeadLetterFilter.builder().deadLetteredAfter(before).build()).size());
        assertEquals(0, desk.list(DeadLetterFilter.builder().olderThan(Duration.ofHours(1)).build()).size());
        assertEquals(ids(all.subList(1, 3)), ids(desk.list(DeadLetterFilter.builder().skip(1).limit(2).build())), "a page");
        assertThrows(ConfigurationException.class, () -> desk.list(DeadLetterFilter.builder().handler("nobody").build()));

        DeadLetter shown = desk.show(odd.id()).orElseThrow();
        assertEquals(odd.id(), shown.id());
        assertEquals(sent.stream().filter(m -> m.id().equals(odd.messageId())).findFirst().orElseThrow(),
                new MessageCodec(new MessageRegistry().register(TaskCreated.class)).decode(shown.body()), "its body");
        assertTrue(desk.show(odd.messageId() + "/no-such-tag").isEmpty());
        assertEquals(4, desk.count(queue), "reading leaves every letter in place");
        assertEquals(java.util.Map.of(queue, 4L), desk.counts(DeadLetterFilter.builder().handler("picky").build()));
    }

    @Test
    void replayResetsTheAttemptsOrKeepsThemSoAFailureDeadLettersAtOnce() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicBoolean fail = new AtomicBoolean(true);
        EventBus bus = fixture().start(BusSpec.of("desk", Subscription.handling(TaskCreated.class, "repairable",
                (message, delivery) -> {
                    attempts.add(delivery.attempt());
                    if (fail.get()) {
                        throw new IllegalStateException("not yet");
                    }
                    handled.add(message.payload().taskId());
                })).withRetry(RetryPolicy.of(1, Duration.ofMillis(50))));
        Message<TaskCreated> first = Message.of(new TaskCreated("t-1", 1));
        Message<TaskCreated> second = Message.of(new TaskCreated("t-2", 2));
        bus.publish(first);
        bus.publish(second);
        DeadLetters desk = desk(bus);
        String queue = queue(TaskCreated.class, "repairable");
        awaitCount(desk, queue, 2);
        Await.received("repairable", 4, attempts, TIMEOUT);
        DeadLetter letter = only(desk.list(DeadLetterFilter.builder().messageId(first.id()).build()));
        assertEquals(2, letter.attempts());

        DeadLetterResult kept = desk.replay(DeadLetterFilter.builder().letter(letter.id()).build(),
                DeadLetters.Attempts.KEEP, progress -> { });
        assertEquals(1, kept.processed());
        Await.received("repairable", 5, attempts, TIMEOUT);
        assertEquals(3, attempts.get(4), "the replayed copy kept its attempts: " + attempts);
        DeadLetter again = Await.untilValue("t-1 dead-lettered again", TIMEOUT,
                () -> desk.list(DeadLetterFilter.builder().messageId(first.id()).build()), letters -> letters.size() == 1
                        && letters.get(0).attempts() == 3).get(0);
        assertFalse(again.id().equals(letter.id()), "a new dead-lettering is a new letter: " + again.id());
        assertEquals(2, desk.count(queue));

        fail.set(false);
        DeadLetterResult reset = desk.replay(DeadLetterFilter.builder().messageId(second.id()).build());
        assertEquals(1, reset.processed());
        Await.received("repairable handled", 1, handled, TIMEOUT);
        assertEquals(List.of("t-2"), handled);
        assertEquals(1, attempts.get(attempts.size() - 1), "the replayed copy is a first attempt: " + attempts);
        awaitCount(desk, queue, 1);
        assertEquals(List.of(first.id()), desk.list(DeadLetterFilter.ALL).stream().map(DeadLetter::messageId).toList());
    }

    @Test
    void aReplayOfNLettersThatAllFailAgainEndsAfterThoseN() {
        List<String> seen = new CopyOnWriteArrayList<>();
        EventBus bus = fixture().start(BusSpec.of("desk", Subscription.handling(TaskCreated.class, "hopeless",
                (message, delivery) -> {
                    seen.add(message.payload().taskId());
                    throw new NonRetryableException("still broken");
                })));
        int n = 5;
        for (int i = 0; i < n; i++) {
            bus.publish(new TaskCreated("t-" + i, i));
        }
        DeadLetters desk = desk(bus);
        String queue = queue(TaskCreated.class, "hopeless");
        awaitCount(desk, queue, n);
        List<DeadLetterProgress> reports = new CopyOnWriteArrayList<>();

        DeadLetterResult result = desk.replay(DeadLetterFilter.queue(queue), DeadLetters.Attempts.RESET, reports::add);

        assertEquals(n, result.processed(), "replayed: " + result);
        assertTrue(result.examined() <= n, "read only the letters present at the start: " + result);
        assertEquals(n, reports.size(), "one progress report per letter: " + reports);
        assertEquals(n, reports.get(n - 1).processed());
        assertEquals(n, reports.get(0).total(), "the total is the letters at the start");
        Await.received("hopeless", 2 * n, seen, TIMEOUT);
        awaitCount(desk, queue, n);
        assertQuiet("no letter replayed twice", () -> seen.size() > 2 * n);
        assertEquals(2 * n, seen.size(), "each letter handled once when published, once when replayed: " + seen);
    }

    @Test
    void moveSendsTheLettersToAnotherHandlerQueueAsFirstAttempts() {
        List<Integer> fixed = new CopyOnWriteArrayList<>();
        EventBus bus = fixture().start(BusSpec.of("desk",
                Subscription.handling(TaskCreated.class, "broken", (message, delivery) -> {
                    throw new NonRetryableException("broken");
                }),
                Subscription.handling(TaskCreated.class, "fixer", (message, delivery) -> fixed.add(delivery.attempt()))));
        bus.publish(new TaskCreated("t-1", 1));
        bus.publish(new TaskCreated("t-2", 2));
        DeadLetters desk = desk(bus);
        String broken = queue(TaskCreated.class, "broken");
        awaitCount(desk, broken, 2);
        Await.received("fixer", 2, fixed, TIMEOUT);

        assertThrows(ConfigurationException.class, () -> desk.move(DeadLetterFilter.queue(broken), broken + "_missing",
                progress -> { }));
        assertEquals(2, desk.count(broken), "nothing moved to a queue that does not exist");

        DeadLetterResult moved = desk.move(DeadLetterFilter.builder().handler("broken").limit(1).build(),
                queue(TaskCreated.class, "fixer"), progress -> { });

        assertEquals(1, moved.processed());
        Await.received("fixer", 3, fixed, TIMEOUT);
        assertEquals(List.of(1, 1, 1), fixed);
        assertEquals(1, desk.count(broken));
        assertEquals(0, desk.count(queue(TaskCreated.class, "fixer")), "the moved letter was handled");
    }

    @Test
    void discardRemovesTheChosenLettersAndPurgeTheRest() {
        EventBus bus = fixture().start(BusSpec.of("desk", Subscription.handling(TaskCreated.class, "hopeless",
                (message, delivery) -> {
                    throw new NonRetryableException("no " + message.payload().taskId());
                })));
        for (int i = 0; i < 4; i++) {
            bus.publish(new TaskCreated("t-" + i, i));
        }
        DeadLetters desk = desk(bus);
        String queue = queue(TaskCreated.class, "hopeless");
        awaitCount(desk, queue, 4);
        DeadLetter chosen = only(desk.list(DeadLetterFilter.builder().errorContains("no t-2").build()));

        assertEquals(1, desk.discard(DeadLetterFilter.builder().letter(chosen.id()).build()).processed());
        assertEquals(3, desk.count(queue));
        assertTrue(desk.show(chosen.id()).isEmpty(), "the discarded letter is gone");
        assertEquals(Set.of("t-0", "t-1", "t-3"), taskIds(desk.list(DeadLetterFilter.ALL)));
        assertEquals(1, desk.discard(DeadLetterFilter.builder().limit(1).build()).processed(), "at most the limit");

        assertEquals(2, desk.purge(queue));
        assertEquals(0, desk.count(queue));
        assertEquals(0, desk.replay(DeadLetterFilter.ALL).processed(), "nothing left to replay");
    }

    // ---------------------------------------------------------------- helpers

    private static void awaitCount(DeadLetters desk, String queue, long count) {
        Await.until(count + " dead letters of " + queue, TIMEOUT, () -> desk.count(queue) == count,
                () -> desk.count(queue) + " dead letters");
    }

    private static DeadLetter only(List<DeadLetter> letters) {
        assertEquals(1, letters.size(), () -> "one letter expected, got " + letters);
        return letters.get(0);
    }

    private static List<String> ids(List<DeadLetter> letters) {
        return letters.stream().map(DeadLetter::id).toList();
    }

    private static Set<String> taskIds(List<DeadLetter> letters) {
        MessageCodec codec = new MessageCodec(new MessageRegistry().register(TaskCreated.class));
        return letters.stream().map(letter -> ((TaskCreated) codec.decode(letter.body()).payload()).taskId())
                .collect(Collectors.toSet());
    }

    /** Watches for {@link #QUIET} that something does not happen. */
    private static void assertQuiet(String what, java.util.function.BooleanSupplier happened) {
        dev.eventbus.testkit.Await.quietFor(what, QUIET, happened);
    }
}
