package dev.eventbus.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Delivery;
import dev.eventbus.core.Event;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventBusAdmin;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.FailureClassification;
import dev.eventbus.core.KillSwitch;
import dev.eventbus.core.MessageFailed;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageEncodingException;
import dev.eventbus.core.MessageKind;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.core.pipeline.EncodedPublisher;
import dev.eventbus.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link EventBus} shares, as scenarios with one set of expected results. A bus implementation runs
 * it by extending this class and returning its {@link ContractBuses}:
 *
 * <pre>{@code
 * class InMemoryContractTest extends EventBusContract {
 *     @Override
 *     protected ContractBuses buses() {
 *         return new InMemoryContractBuses();
 *     }
 * }
 * }</pre>
 *
 * This project runs it against the in-memory bus, the recording bus forwarding to it, and the RabbitMQ bus. The one
 * difference the contract allows is stated by {@link ContractBuses#survivesStop()}.
 */
public abstract class EventBusContract extends ContractFixture {

    /** How long a scenario waits for an asynchronous outcome. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** How long a scenario watches for something that must not happen. */
    protected static final Duration QUIET = Duration.ofMillis(400);

    private Convention convention(String service) {
        return fixture().convention(service);
    }

    private String queue(String service, Class<?> type, String handler) {
        return convention(service).handlerQueue(MessageType.of(type), handler);
    }

    private static <T> List<T> list() {
        return new CopyOnWriteArrayList<>();
    }

    // ---------------------------------------------------------------- publish and handle

    @Test
    void publishedEventReachesItsHandlerWithItsDelivery() {
        List<Message<TaskCreated>> received = list();
        List<Delivery> deliveries = list();
        List<Delivery> current = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.handling(TaskCreated.class, "record_task",
                (message, delivery) -> {
                    received.add(message);
                    deliveries.add(delivery);
                    Delivery.current().ifPresent(current::add);
                })));
        Message<TaskCreated> sent = Message.of(new TaskCreated("t-1", 1));
        bus.publish(sent);

        Await.received("record_task", 1, received, TIMEOUT);
        Message<TaskCreated> got = received.get(0);
        assertEquals(sent.id(), got.id());
        assertEquals(new TaskCreated("t-1", 1), got.payload());
        assertEquals("task.created", got.name());
        assertEquals(1, got.version());
        assertEquals(MessageKind.DOMAIN_EVENT, got.kind());
        Delivery delivery = deliveries.get(0);
        assertEquals(new Delivery("record_task", queue("tasks", TaskCreated.class, "record_task"),
                convention("tasks").routingKey(MessageType.of(TaskCreated.class)), 1, false), delivery);
        assertEquals(List.of(delivery), current, "Delivery.current() is the handler's delivery argument");
    }

    @Test
    void commandsAndEventsReachOnlyTheirOwnHandlers() {
        List<Object> tasks = list();
        List<Object> labels = list();
        EventBus bus = fixture().start(BusSpec.of("tasks",
                Subscription.of(TaskCreated.class, "on_task", m -> tasks.add(m.payload())),
                Subscription.of(PrintLabel.class, "on_label", m -> labels.add(m.payload()))));
        bus.publish(new PrintLabel("hello"));
        bus.publish(new TaskCreated("t-1", 1));

        Await.received("on_task", 1, tasks, TIMEOUT);
        Await.received("on_label", 1, labels, TIMEOUT);
        assertEquals(List.of(new TaskCreated("t-1", 1)), tasks);
        assertEquals(List.of(new PrintLabel("hello")), labels);
    }

    @Test
    void rejectsPayloadsThatAreNotEventsOrCommandsAndUnwrapsLists() {
        List<Object> received = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "on_task",
                m -> received.add(m.payload()))));
        for (Object notAnEvent : List.of("hello", 42, true, Map.of("a", 1), new int[] {1}, MessageKind.COMMAND,
                Instant.EPOCH, java.util.Optional.of(new TaskCreated("t-0", 0)), java.util.Set.of(new TaskCreated("t-0", 0)))) {
            MessageEncodingException error = assertThrows(MessageEncodingException.class, () -> bus.publish(notAnEvent),
                    () -> "publish(" + notAnEvent.getClass().getName() + ") must be refused");
            assertTrue(error.getMessage().contains(notAnEvent.getClass().getTypeName()), error.getMessage());
        }
        assertThrows(MessageEncodingException.class, () -> bus.publish(Message.of(MessageType.of(String.class), "hello")));
        assertThrows(NullPointerException.class, () -> bus.publish((Object) null));

        Object list = List.of(new TaskCreated("t-1", 1), new TaskCreated("t-2", 2));
        bus.publish(list);
        Await.received("on_task", 2, received, TIMEOUT);
        assertEquals(List.of(new TaskCreated("t-1", 1), new TaskCreated("t-2", 2)), received);
    }

    @Test
    void aMessagePreparedEarlierIsSentAsItWasWhereTheBusSendsEncodedMessages() throws Exception {
        List<Message<TaskCreated>> received = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "on_task", received::add)));
        org.junit.jupiter.api.Assumptions.assumeTrue(bus instanceof EncodedPublisher,
                () -> bus.getClass().getSimpleName() + " does not send encoded messages (an outbox needs a bus that does)");
        EncodedPublisher encoded = (EncodedPublisher) bus;
        Message<TaskCreated> message = Message.of(new TaskCreated("t-9", 9));
        EncodedMessage stored = EncodedMessage.of(encoded.publishing().prepare(message));
        encoded.publishEncoded(stored).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Await.received("on_task", 1, received, TIMEOUT);
        assertEquals(message.id(), received.get(0).id());
        assertEquals(message.payload(), received.get(0).payload());
        assertEquals(message.occurredOn(), received.get(0).occurredOn());
    }

    @Test
    void handlesInPublishOrderWithOneHandlerThread() {
        List<Integer> seen = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "ordered",
                m -> seen.add(m.payload().seq()))));
        List<TaskCreated> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(new TaskCreated("t-" + i, i));
        }
        bus.publish(batch);
        Await.received("ordered", 50, seen, TIMEOUT);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add(i);
        }
        assertEquals(expected, seen);
    }

    // ---------------------------------------------------------------- retries and dead letters

    @Test
    void retriesThenSucceedsWithTheAttemptNumberTheHandlerSees() {
        List<Integer> attempts = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.handling(TaskCreated.class, "flaky",
                (message, delivery) -> {
                    attempts.add(delivery.attempt());
                    if (delivery.attempt() < 3) {
                        throw new IllegalStateException("failing attempt " + delivery.attempt());
                    }
                })));
        bus.publish(new TaskCreated("t-1", 1));
        Await.received("flaky", 3, attempts, TIMEOUT);
        assertEquals(List.of(1, 2, 3), attempts);
        assertQuiet("no fourth attempt", () -> attempts.size() > 3);
        assertEquals(0, bus.admin().deadLetters().count(queue("tasks", TaskCreated.class, "flaky")));
    }

    @Test
    void deadLettersAfterTheLastRetryWithTheFailure() {
        List<Integer> attempts = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.handling(TaskCreated.class, "broken",
                (message, delivery) -> {
                    attempts.add(delivery.attempt());
                    throw new IllegalStateException("always fails");
                })).withRetry(RetryPolicy.of(2, Duration.ofMillis(50))));
        bus.publish(new TaskCreated("t-1", 1));

        DeadLetter letter = awaitDeadLetter(bus.admin(), queue("tasks", TaskCreated.class, "broken"));
        assertEquals(List.of(1, 2, 3), attempts);
        assertEquals(DeadLetterReason.MAX_RETRIES_EXCEEDED, letter.reason());
        assertEquals(3, letter.attempts());
        assertEquals("broken", letter.handler());
        assertEquals(IllegalStateException.class.getName(), letter.exceptionClass());
        assertEquals("always fails", letter.exceptionMessage());
        assertEquals(convention("tasks").routingKey(MessageType.of(TaskCreated.class)), letter.routingKey());
    }

    @Test
    void nonRetryableFailureDeadLettersAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "strict", m -> {
            calls.incrementAndGet();
            throw new NonRetryableException("task " + m.payload().taskId() + " is malformed");
        })));
        bus.publish(new TaskCreated("t-1", 1));
        DeadLetter letter = awaitDeadLetter(bus.admin(), queue("tasks", TaskCreated.class, "strict"));
        assertEquals(DeadLetterReason.NON_RETRYABLE, letter.reason());
        assertEquals(1, letter.attempts());
        assertEquals(1, calls.get());
    }

    // ---------------------------------------------------------------- retries v2: schedules, classification, kill switch

    @Test
    void aLadderRetriesAfterEachStepInOrder() {
        List<Long> times = list();
        List<Integer> attempts = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.handling(TaskCreated.class, "laddered",
                (message, delivery) -> {
                    times.add(System.nanoTime());
                    attempts.add(delivery.attempt());
                    if (delivery.attempt() < 4) {
                        throw new IllegalStateException("failing attempt " + delivery.attempt());
                    }
                }).withRetry(RetryPolicy.ladder(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(600)))));
        bus.publish(new TaskCreated("t-1", 1));

        Await.received("laddered", 4, attempts, TIMEOUT);
        assertEquals(List.of(1, 2, 3, 4), attempts);
        long[] steps = {100, 300, 600};
        for (int i = 0; i < steps.length; i++) {
            long gap = TimeUnit.NANOSECONDS.toMillis(times.get(i + 1) - times.get(i));
            assertTrue(gap >= steps[i] * 9 / 10, "retry " + (i + 1) + " came " + gap + " ms after the attempt before; the step is "
                    + steps[i] + " ms");
        }
        assertQuiet("no fifth attempt", () -> attempts.size() > 4);
        assertEquals(0, bus.admin().deadLetters().count(queue("tasks", TaskCreated.class, "laddered")));
    }

    @Test
    void exponentialBackoffWithJitterDeadLettersAfterMaxRetriesWithEveryAttemptCounted() {
        List<Long> times = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "backing_off", m -> {
            times.add(System.nanoTime());
            throw new IllegalStateException("dependency down");
        }).withRetry(RetryPolicy.exponential(3, Duration.ofMillis(100), 2.0, Duration.ofMillis(400)).withJitter(0.2))));
        bus.publish(new TaskCreated("t-1", 1));

        DeadLetter letter = awaitDeadLetter(bus.admin(), queue("tasks", TaskCreated.class, "backing_off"));
        assertEquals(DeadLetterReason.MAX_RETRIES_EXCEEDED, letter.reason());
        assertEquals(4, letter.attempts());
        assertEquals(4, times.size());
        long[] nominal = {100, 200, 400};
        for (int i = 0; i < nominal.length; i++) {
            long gap = TimeUnit.NANOSECONDS.toMillis(times.get(i + 1) - times.get(i));
            assertTrue(gap >= nominal[i] * 8 / 10 * 9 / 10, "retry " + (i + 1) + " came " + gap + " ms after the attempt before; "
                    + "the backoff is " + nominal[i] + " ms, jittered by 20 %");
        }
    }

    @Test
    void immediateRetriesRunBeforeTheDelayedRetryAndCountAsAttempts() {
        List<Long> times = list();
        List<Integer> attempts = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.handling(TaskCreated.class, "impatient",
                (message, delivery) -> {
                    times.add(System.nanoTime());
                    attempts.add(delivery.attempt());
                    throw new IllegalStateException("failing attempt " + delivery.attempt());
                }).withRetry(RetryPolicy.ladder(5, Duration.ofMillis(800))
                        .withImmediateRetries(2, Duration.ofMillis(10), Duration.ofSeconds(1)))));
        bus.publish(new TaskCreated("t-1", 1));

        DeadLetter letter = awaitDeadLetter(bus.admin(), queue("tasks", TaskCreated.class, "impatient"));
        assertEquals(List.of(1, 2, 3, 4, 5, 6), attempts, "1 + 2 immediate, then a delayed retry + 2 immediate");
        assertEquals(6, letter.attempts());
        long delayed = TimeUnit.NANOSECONDS.toMillis(times.get(3) - times.get(2));
        assertTrue(delayed >= 720, "the delayed retry came " + delayed + " ms after the last immediate one; the delay is 800 ms");
        long immediate = TimeUnit.NANOSECONDS.toMillis(times.get(1) - times.get(0));
        assertTrue(immediate < 720, "the immediate retry came " + immediate + " ms after the first attempt: not delayed");
    }

    @Test
    void failureClassificationDeadLettersWhatItDoesNotRetryAtOnceAndRetriesTheRest() {
        List<String> calls = list();
        FailureClassification rules = FailureClassification.retryingAll().retryOn(IllegalStateException.class)
                .ignore(IllegalArgumentException.class);
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.handling(TaskCreated.class, "classified",
                (message, delivery) -> {
                    String id = message.payload().taskId();
                    calls.add(id + "#" + delivery.attempt());
                    switch (id) {
                        case "ignored" -> throw new IllegalArgumentException("bad argument");
                        case "not-retried" -> throw new UnsupportedOperationException("not in retryOn");
                        case "retried" -> {
                            if (delivery.attempt() == 1) {
                                throw new IllegalStateException("transient");
                            }
                        }
                        default -> throw new AssertionError(id);
                    }
                }).withFailureClassification(rules)));
        String queue = queue("tasks", TaskCreated.class, "classified");
        bus.publish(new TaskCreated("ignored", 1));
        bus.publish(new TaskCreated("not-retried", 2));
        bus.publish(new TaskCreated("retried", 3));

        Await.until("two dead letters and a retried message handled", TIMEOUT,
                () -> bus.admin().deadLetters().count(queue) == 2 && calls.contains("retried#2"), calls::toString);
        List<DeadLetter> letters = bus.admin().deadLetters().peek(queue, 10);
        for (DeadLetter letter : letters) {
            assertEquals(DeadLetterReason.NON_RETRYABLE, letter.reason(), letter.toString());
            assertEquals(1, letter.attempts(), letter.toString());
        }
        assertEquals(java.util.Set.of(IllegalArgumentException.class.getName(), UnsupportedOperationException.class.getName()),
                java.util.Set.copyOf(letters.stream().map(DeadLetter::exceptionClass).toList()));
        assertQuiet("no second attempt of the dead-lettered ones", () -> calls.contains("ignored#2") || calls.contains("not-retried#2"));
    }

    @Test
    void killSwitchSuspendsTheHandlerAndResumesWithoutDeadLetteringAnything() {
        AtomicBoolean down = new AtomicBoolean(true);
        List<String> handled = list();
        AtomicInteger failures = new AtomicInteger();
        String handler = "guarded";
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, handler, m -> {
            if (down.get()) {
                failures.incrementAndGet();
                throw new IllegalStateException("database down");
            }
            handled.add(m.payload().taskId());
        }).withRetry(RetryPolicy.ladder(2, Duration.ofMillis(100)))
                .withKillSwitch(new KillSwitch(0.5, 4, 4, Duration.ofMillis(500)))));
        for (int i = 0; i < 6; i++) {
            bus.publish(new TaskCreated("t-" + i, i));
        }
        HandlerStatus suspended = Await.untilValue("the handler suspended by its kill switch", TIMEOUT,
                () -> bus.health().handlers().stream().filter(s -> s.handler().equals(handler)).findFirst().orElseThrow(),
                status -> status.state() == HandlerStatus.State.SUSPENDED);
        assertFalse(suspended.healthy());
        assertTrue(String.valueOf(suspended.detail()).contains("kill switch tripped"), suspended.detail());
        assertFalse(bus.health().healthy());

        down.set(false);
        Await.until("every message handled once the dependency is back", TIMEOUT, () -> handled.size() == 6,
                () -> handled + " after " + failures.get() + " failures");
        assertEquals(0, bus.admin().deadLetters().count(queue("tasks", TaskCreated.class, handler)),
                "nothing dead-lettered for the outage, though the policy allows 2 retries and " + failures.get() + " attempts failed");
        Await.until("consuming again", TIMEOUT, () -> bus.health().handlers().stream()
                .allMatch(s -> s.state() == HandlerStatus.State.CONSUMING), () -> bus.health().handlers().toString());
    }

    @Test
    void aHandlerThatAsksForItPublishesAFailureEventForEachDeadLetter() {
        List<Message<MessageFailed>> events = list();
        EventBus bus = fixture().start(BusSpec.of("tasks",
                Subscription.of(TaskCreated.class, "fragile", m -> {
                    throw new NonRetryableException("task " + m.payload().taskId() + " cannot be done");
                }).publishingFailures(),
                Subscription.of(MessageFailed.class, "failure_watcher", events::add)));
        Message<TaskCreated> sent = Message.of(new TaskCreated("t-9", 9));
        bus.publish(sent);

        Await.received("failure_watcher", 1, events, TIMEOUT);
        MessageFailed event = events.get(0).payload();
        assertEquals(sent.id(), event.messageId());
        assertEquals("task.created", event.name());
        assertEquals(1, event.version());
        assertEquals("fragile", event.handler());
        assertEquals(queue("tasks", TaskCreated.class, "fragile"), event.queue());
        assertEquals(DeadLetterReason.NON_RETRYABLE.wireValue(), event.reason());
        assertEquals(1, event.attempts());
        assertEquals(NonRetryableException.class.getName(), event.exceptionClass());
        assertEquals("task t-9 cannot be done", event.exceptionMessage());
        assertEquals("message.failed", events.get(0).name());
    }

    @Test
    void undecodableBodyIsDeadLetteredWithoutRunningTheHandlerAndTheNextIsHandled() {
        List<Object> received = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "on_task",
                m -> received.add(m.payload()))));
        String queue = queue("tasks", TaskCreated.class, "on_task");
        bus.admin().deliverTo(queue, "not json {".getBytes(StandardCharsets.UTF_8));
        bus.publish(new TaskCreated("t-1", 1));

        DeadLetter letter = awaitDeadLetter(bus.admin(), queue);
        assertEquals(DeadLetterReason.UNDECODABLE, letter.reason());
        assertEquals(0, letter.attempts());
        assertEquals("not json {", new String(letter.body(), StandardCharsets.UTF_8));
        Await.received("on_task", 1, received, TIMEOUT);
        assertEquals(List.of(new TaskCreated("t-1", 1)), received);
    }

    @Test
    void typeTheQueueDoesNotHandleIsDeadLetteredAsUnknown() {
        List<Object> received = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "on_task",
                m -> received.add(m.payload()))));
        String queue = queue("tasks", TaskCreated.class, "on_task");
        bus.admin().deliverTo(queue, encode(new PrintLabel("not a task")));

        DeadLetter letter = awaitDeadLetter(bus.admin(), queue);
        assertEquals(DeadLetterReason.UNKNOWN_TYPE, letter.reason());
        assertEquals(0, letter.attempts());
        assertTrue(received.isEmpty(), () -> "the handler ran on " + received);
    }

    @Test
    void invalidMessageIsRefusedOnPublish() {
        List<Object> received = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "on_task",
                m -> received.add(m.payload()))).withValidator(negativeSeqIsInvalid()));
        InvalidMessageException error = assertThrows(InvalidMessageException.class,
                () -> bus.publish(new TaskCreated("t-1", -1)));
        assertTrue(error.getMessage().contains("seq"), error.getMessage());
        bus.publish(new TaskCreated("t-2", 2));
        Await.received("on_task", 1, received, TIMEOUT);
        assertEquals(List.of(new TaskCreated("t-2", 2)), received);
    }

    @Test
    void invalidMessageIsDeadLetteredOnDeliveryButStoreAndAllMessagesHandlersKeepIt() {
        List<Object> typed = list();
        List<Message<Map<String, Object>>> all = list();
        EventBus consumer = fixture().start(BusSpec.of("tasks",
                Subscription.of(TaskCreated.class, "on_task", m -> typed.add(m.payload())),
                Subscription.allMessages("audit", all::add)).withValidator(negativeSeqIsInvalid()));
        EventBus publisher = fixture().build(BusSpec.of("tasks")); // no validator on this side
        publisher.publish(new TaskCreated("t-1", -1));

        DeadLetter letter = awaitDeadLetter(consumer.admin(), queue("tasks", TaskCreated.class, "on_task"));
        assertEquals(DeadLetterReason.INVALID, letter.reason());
        assertEquals(0, letter.attempts());
        Await.received("audit", 1, all, TIMEOUT);
        assertEquals(-1, ((Number) all.get(0).payload().get("seq")).intValue(), "all-messages handlers are not validated");
        assertTrue(typed.isEmpty(), () -> "the typed handler ran on " + typed);
    }

    @Test
    void validatorThatFailsUnexpectedlyCountsAsAnAttemptAndIsRetried() {
        List<Integer> attempts = list();
        AtomicBoolean failOnce = new AtomicBoolean(true);
        MessageValidator flaky = (name, version, attributes) -> {
            if (failOnce.getAndSet(false)) {
                throw new IllegalStateException("schema store unavailable");
            }
        };
        fixture().start(BusSpec.of("tasks", Subscription.handling(TaskCreated.class, "on_task",
                (message, delivery) -> attempts.add(delivery.attempt()))).withValidator(flaky));
        EventBus publisher = fixture().build(BusSpec.of("tasks"));
        publisher.publish(new TaskCreated("t-1", 1));
        Await.received("on_task", 1, attempts, TIMEOUT);
        assertEquals(List.of(2), attempts, "the validator's failure was attempt 1");
    }

    @Test
    void deadLettersCanBeReprocessedAsFirstAttempts() {
        List<Integer> attempts = list();
        AtomicBoolean fail = new AtomicBoolean(true);
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.handling(TaskCreated.class, "repairable",
                (message, delivery) -> {
                    attempts.add(delivery.attempt());
                    if (fail.get()) {
                        throw new NonRetryableException("not yet");
                    }
                })));
        String queue = queue("tasks", TaskCreated.class, "repairable");
        bus.publish(new TaskCreated("t-1", 1));
        awaitDeadLetter(bus.admin(), queue);
        fail.set(false);
        assertEquals(1, bus.admin().deadLetters().reprocess(queue, 10));
        Await.received("repairable", 2, attempts, TIMEOUT);
        assertEquals(List.of(1, 1), attempts);
        Await.until("the dead letters emptied", TIMEOUT, () -> bus.admin().deadLetters().count(queue) == 0,
                () -> bus.admin().deadLetters().count(queue) + " left");
    }

    // ---------------------------------------------------------------- scopes: store, all messages, other services

    @Test
    void storeHandlerReceivesEveryEventAndCommandUntyped() {
        ContractBuses store = fixture().withOwnStore();
        String organization = store.organization();
        List<String> names = list();
        EventBus bus = store.start(BusSpec.of("tasks",
                Subscription.store("event_store", message -> {
                    if (Delivery.current().map(d -> d.routingKey().startsWith(organization + ".")).orElse(false)) {
                        names.add(message.name() + ":" + message.payload().size());
                    }
                })));
        bus.publish(new TaskCreated("t-1", 1));
        bus.publish(new PrintLabel("hello"));
        Await.received("event_store", 2, names, TIMEOUT);
        assertEquals(List.of("print.label:1", "task.created:2"), names.stream().sorted().toList());
    }

    @Test
    void allMessagesHandlerSeesEveryMessageOfItsServiceOnly() {
        List<String> names = list();
        EventBus tasks = fixture().start(BusSpec.of("tasks", Subscription.allMessages("audit", m -> names.add(m.name()))));
        EventBus other = fixture().build(BusSpec.of("other", Subscription.of(TaskCompleted.class, "sink", m -> { })));
        other.publish(new TaskCompleted("from another service"));
        tasks.publish(new TaskCreated("t-1", 1));
        tasks.publish(new PrintLabel("hello"));
        Await.received("audit", 2, names, TIMEOUT);
        assertQuiet("only its own service's messages", () -> names.size() > 2);
        assertEquals(List.of("print.label", "task.created"), names.stream().sorted().toList());
    }

    @Test
    void subscriptionFromAnotherServiceReceivesThatServicesMessagesOnly() {
        List<String> received = list();
        List<Delivery> deliveries = list();
        fixture().start(BusSpec.of("billing", Subscription.handling(TaskCreated.class, "bill_task", (message, delivery) -> {
            received.add(message.payload().taskId());
            deliveries.add(delivery);
        }).from("tasks")));
        EventBus tasks = fixture().build(BusSpec.of("tasks"));
        EventBus billing = fixture().build(BusSpec.of("billing", Subscription.of(TaskCreated.class, "own", m -> { })));
        billing.publish(new TaskCreated("billing's own", 0));
        tasks.publish(new TaskCreated("t-1", 1));

        Await.received("bill_task", 1, received, TIMEOUT);
        assertQuiet("nothing of billing's own", () -> received.size() > 1);
        assertEquals(List.of("t-1"), received);
        assertEquals(queue("billing", TaskCreated.class, "bill_task"), deliveries.get(0).queue());
        assertEquals(convention("tasks").routingKey(MessageType.of(TaskCreated.class)), deliveries.get(0).routingKey());
    }

    // ---------------------------------------------------------------- declared routing keys and live subscriptions

    @Test
    void anEventDeclaringItsRoutingKeyIsPublishedAndBoundWithItInItsServiceAndAnother() {
        List<Delivery> own = list();
        List<Delivery> other = list();
        EventBus tasks = fixture().start(BusSpec.of("tasks", Subscription.handling(StatusReported.class, "show_status",
                (message, delivery) -> own.add(delivery))));
        fixture().start(BusSpec.of("board", Subscription.handling(StatusReported.class, "pin_status",
                (message, delivery) -> other.add(delivery)).from("tasks")));

        tasks.publish(new StatusReported("t-1", "done"));

        Await.received("show_status", 1, own, TIMEOUT);
        Await.received("pin_status", 1, other, TIMEOUT);
        assertEquals(StatusReported.ROUTING_KEY, own.get(0).routingKey(), "published with the key the class declares");
        assertEquals(StatusReported.ROUTING_KEY, other.get(0).routingKey());
        assertEquals(convention("tasks").mainExchange() + "." + StatusReported.ROUTING_KEY + ".show_status", own.get(0).queue(),
                "the handler queue is named after the declared key, behind its own service's exchange");
        assertEquals(convention("board").mainExchange() + "." + StatusReported.ROUTING_KEY + ".pin_status", other.get(0).queue());
    }

    @Test
    void aLiveSubscriptionReceivesOnlyWhatIsPublishedWhileItRuns() {
        List<String> durable = list();
        List<String> live = list();
        EventBus bus = fixture().build(BusSpec.of("tasks",
                Subscription.of(TaskCreated.class, "keep_tasks", m -> durable.add(m.payload().taskId())),
                Subscription.of(TaskCreated.class, "watch_tasks", m -> live.add(m.payload().taskId())).live()));
        bus.publish(new TaskCreated("before start", 1));

        bus.start();
        bus.publish(new TaskCreated("while running", 2));

        Await.received("keep_tasks", 2, durable, TIMEOUT);
        Await.received("watch_tasks", 1, live, TIMEOUT);
        assertQuiet("nothing published before the live handler ran", () -> live.size() > 1);
        assertEquals(List.of("while running"), live);
        assertEquals(List.of("before start", "while running"), durable.stream().sorted().toList());
    }

    @Test
    void aLiveHandlersFailedMessageIsNotRetriedAndTheNextIsHandled() {
        List<String> attempts = list();
        EventBus bus = fixture().start(BusSpec.of("tasks",
                Subscription.of(TaskCreated.class, "watch_tasks", m -> {
                    attempts.add(m.payload().taskId());
                    if (m.payload().taskId().equals("bad")) {
                        throw new IllegalStateException("refused by the test");
                    }
                }).live()));

        bus.publish(new TaskCreated("bad", 1));
        bus.publish(new TaskCreated("good", 2));

        Await.received("watch_tasks", 2, attempts, TIMEOUT);
        assertQuiet("no retry of the failed message", () -> attempts.size() > 2);
        assertEquals(List.of("bad", "good"), attempts);
        assertEquals(HandlerStatus.State.CONSUMING, bus.health().handlers().get(0).state());
    }

    @Test
    void aLiveSubscriptionWithRetriesRetriesAFailedMessageThenHandlesIt() {
        List<Integer> attempts = list();
        Subscription watch = Subscription.handling(TaskCreated.class, "watch_tasks", (message, delivery) -> {
            attempts.add(delivery.attempt());
            if (delivery.attempt() < 3) {
                throw new IllegalStateException("failing attempt " + delivery.attempt());
            }
        }).live("instance_1").withRetry(RetryPolicy.of(3, Duration.ofMillis(50)));
        EventBus bus = fixture().start(BusSpec.of("tasks", watch));

        bus.publish(new TaskCreated("t-1", 1));

        Await.received("watch_tasks", 3, attempts, TIMEOUT);
        assertQuiet("no fourth attempt", () -> attempts.size() > 3);
        assertEquals(List.of(1, 2, 3), attempts, "two retries through the live instance's retry queue, then handled");
        assertEquals(0, bus.admin().deadLetters().count(convention("tasks").endpoints(watch).get(0).queue()));
    }

    @Test
    void aLiveSubscriptionWithRetriesDeadLettersWhatExhaustsThem() {
        List<Integer> attempts = list();
        Subscription watch = Subscription.handling(TaskCreated.class, "watch_tasks", (message, delivery) -> {
            attempts.add(delivery.attempt());
            throw new IllegalStateException("always fails");
        }).withRetry(RetryPolicy.of(1, Duration.ofMillis(50))).live("instance_1");
        EventBus bus = fixture().start(BusSpec.of("tasks", watch));

        bus.publish(new TaskCreated("t-1", 1));

        String liveQueue = convention("tasks").endpoints(watch).get(0).queue();
        DeadLetter letter = awaitDeadLetter(bus.admin(), liveQueue);
        assertEquals(List.of(1, 2), attempts);
        assertEquals(DeadLetterReason.MAX_RETRIES_EXCEEDED, letter.reason());
        assertEquals(2, letter.attempts());
        assertEquals("watch_tasks", letter.handler());
        assertEquals("always fails", letter.exceptionMessage());
        assertEquals(convention("tasks").routingKey(MessageType.of(TaskCreated.class)), letter.routingKey());
    }

    @Test
    void aLiveSubscriptionTakesOnlyAFixedRetryPolicyAndRefusesTheStore() {
        Subscription live = Subscription.of(TaskCreated.class, "watch_tasks", m -> { }).live("instance_1");
        assertFalse(live.isLiveWithRetries(), "without a policy of its own a live subscription drops what fails");
        assertTrue(live.withRetry(RetryPolicy.of(3, Duration.ofSeconds(1))).isLiveWithRetries());
        ConfigurationException ladder = assertThrows(ConfigurationException.class,
                () -> live.withRetry(RetryPolicy.ladder(3, Duration.ofSeconds(1))));
        assertTrue(ladder.getMessage().contains("one fixed delay") && ladder.getMessage().contains("RetryPolicy.of("),
                ladder.getMessage());
        assertThrows(ConfigurationException.class, () -> Subscription.of(TaskCreated.class, "watch_tasks", m -> { })
                .withRetry(RetryPolicy.ladder(3, Duration.ofSeconds(1))).live());
        assertThrows(ConfigurationException.class, () -> Subscription.store("event_store", m -> { }).live());
        assertEquals(convention("tasks").handlerQueue(MessageType.of(TaskCreated.class), "watch_tasks") + ".live.instance_1",
                convention("tasks").endpoints(live).get(0).queue());
    }

    // ---------------------------------------------------------------- stream subscriptions

    private static Subscription streamOf(String handler, List<String> received, dev.eventbus.core.StreamOptions options) {
        return Subscription.of(TaskCreated.class, handler, m -> received.add(m.payload().taskId())).stream(options);
    }

    @Test
    void aStreamSubscriberReadsTheServicesStreamFromFirstFromAnOffsetOrFromNext() {
        List<String> first = list();
        List<String> fromOffset = list();
        List<String> next = list();
        EventBus publisher = fixture().build(BusSpec.of("tasks",
                streamOf("first", first, dev.eventbus.core.StreamOptions.from(dev.eventbus.core.StreamStart.first()))));
        for (int i = 0; i < 5; i++) {
            publisher.publish(new TaskCreated("t-" + i, i)); // offsets 0..4: kept before any reader runs
        }
        publisher.start();
        EventBus readers = fixture().start(BusSpec.of("tasks",
                streamOf("from_offset", fromOffset, dev.eventbus.core.StreamOptions.from(dev.eventbus.core.StreamStart.offset(3))),
                streamOf("next", next, dev.eventbus.core.StreamOptions.from(dev.eventbus.core.StreamStart.next()))));
        Await.received("first", 5, first, TIMEOUT);
        Await.received("from_offset", 2, fromOffset, TIMEOUT);
        publisher.publish(new TaskCreated("t-5", 5));

        Await.received("next", 1, next, TIMEOUT);
        Await.received("first", 6, first, TIMEOUT);
        Await.received("from_offset", 3, fromOffset, TIMEOUT);
        assertEquals(List.of("t-0", "t-1", "t-2", "t-3", "t-4", "t-5"), first, "first: the whole stream, in order");
        assertEquals(List.of("t-3", "t-4", "t-5"), fromOffset, "offset 3 and after");
        assertEquals(List.of("t-5"), next, "next: only what was published once it ran");
        assertEquals(HandlerStatus.State.CONSUMING, readers.health().handlers().get(0).state());
    }

    @Test
    void aReturningStreamSubscriberGetsWhatItMissedFromItsStoredOffset() {
        dev.eventbus.core.OffsetStore offsets = new dev.eventbus.core.InMemoryOffsetStore();
        List<String> received = list();
        dev.eventbus.core.StreamOptions options = dev.eventbus.core.StreamOptions.from(dev.eventbus.core.StreamStart.first())
                .offsets(offsets).chunkSize(2);
        EventBus publisher = fixture().start(BusSpec.of("tasks"));
        EventBus first = fixture().start(BusSpec.of("tasks", streamOf("audit", received, options)));
        publisher.publish(new TaskCreated("t-0", 0));
        publisher.publish(new TaskCreated("t-1", 1));
        Await.received("audit", 2, received, TIMEOUT);
        first.stop();

        for (int i = 2; i < 7; i++) {
            publisher.publish(new TaskCreated("t-" + i, i)); // while the subscriber is away
        }
        fixture().start(BusSpec.of("tasks", streamOf("audit", received, options)));

        Await.received("audit", 7, received, TIMEOUT);
        assertQuiet("nothing handled twice", () -> received.size() > 7);
        assertEquals(List.of("t-0", "t-1", "t-2", "t-3", "t-4", "t-5", "t-6"), received, "what it missed, in order, once");
    }

    @Test
    void aFailingStreamEventIsRetriedInPlaceThenDeadLetteredAndTheStreamMovesOn() {
        List<String> attempts = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "audit", m -> {
            attempts.add(m.payload().taskId());
            if (m.payload().taskId().equals("bad")) {
                throw new IllegalStateException("refused by the test");
            }
        }).stream(dev.eventbus.core.StreamOptions.from(dev.eventbus.core.StreamStart.first())
                .failures(RetryPolicy.of(2, Duration.ofMillis(20))))));
        bus.publish(new TaskCreated("bad", 1));
        bus.publish(new TaskCreated("good", 2));

        Await.received("audit", 4, attempts, TIMEOUT);
        assertEquals(List.of("bad", "bad", "bad", "good"), attempts, "1 + 2 attempts in place, then the next event");
        DeadLetter letter = awaitDeadLetter(bus.admin(), convention("tasks").stream() + ".audit");
        assertEquals(DeadLetterReason.MAX_RETRIES_EXCEEDED, letter.reason());
        assertEquals(3, letter.attempts());
        assertTrue(new String(letter.body(), StandardCharsets.UTF_8).contains("bad"));
    }

    @Test
    void aStreamSubscriptionRefusesLiveTheStoreAndAQueueRetryPolicy() {
        dev.eventbus.core.StreamOptions options = dev.eventbus.core.StreamOptions.from(dev.eventbus.core.StreamStart.first());
        Subscription plain = Subscription.of(TaskCreated.class, "audit", m -> { });
        assertThrows(ConfigurationException.class, () -> plain.live().stream(options));
        assertThrows(ConfigurationException.class, () -> Subscription.store("event_store", m -> { }).stream(options));
        ConfigurationException retry = assertThrows(ConfigurationException.class,
                () -> plain.stream(options).withRetry(RetryPolicy.of(3, Duration.ofSeconds(1))));
        assertTrue(retry.getMessage().contains("StreamOptions.failures"), retry.getMessage());
    }

    @Test
    void aStreamDeclaredWithAnotherRetentionIsRefused() {
        List<String> received = list();
        dev.eventbus.core.StreamOptions week = dev.eventbus.core.StreamOptions.from(dev.eventbus.core.StreamStart.first())
                .retention(dev.eventbus.core.StreamRetention.unlimited().maxAge(Duration.ofDays(7)));
        fixture().build(BusSpec.of("tasks", streamOf("audit", received, week)));
        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> fixture().build(BusSpec.of("tasks",
                streamOf("other", received, week.retention(dev.eventbus.core.StreamRetention.unlimited().maxAge(Duration.ofDays(1)))))));
        assertTrue(refused.getMessage().contains("same StreamRetention"), refused.getMessage());
    }

    // ---------------------------------------------------------------- lifecycle

    // ---------------------------------------------------------------- endpoint queues

    @Test
    void anEndpointQueueHandsItsTypesOverInPublishOrderFromOneQueue() {
        List<String> seen = list();
        List<String> queues = list();
        EventBus bus = fixture().build(BusSpec.of("tasks", Subscription.handling("task_board", (Message<Event> message,
                Delivery delivery) -> {
            seen.add(message.payload() instanceof TaskCreated created ? "created " + created.taskId()
                    : "completed " + ((TaskCompleted) message.payload()).taskId());
            queues.add(delivery.queue());
        }, TaskCreated.class, TaskCompleted.class).endpointQueue()));
        List<String> published = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // created i, then completed i - 1: every completion right after the next creation
            events.add(new TaskCreated("t-" + i, i));
            published.add("created t-" + i);
            if (i > 0) {
                events.add(new TaskCompleted("t-" + (i - 1)));
                published.add("completed t-" + (i - 1));
            }
        }
        bus.publish(events.subList(0, 30)); // some wait for the consumer, the rest arrive while it runs
        bus.start();
        bus.publish(events.subList(30, events.size()));

        Await.received("task_board", published.size(), seen, TIMEOUT);
        assertEquals(published, seen, "one queue keeps the publish order across the two types");
        String queue = convention("tasks").endpointQueue("task_board");
        assertEquals(java.util.Set.of(queue), java.util.Set.copyOf(queues), "every type arrives on the one endpoint queue");
    }

    @Test
    void anEndpointQueueRetriesAndDeadLettersOnItsOwnQueuesAndRefusesATypeItDoesNotHandle() {
        List<String> handled = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.handling("task_board", (Message<Event> message,
                Delivery delivery) -> {
            if (message.payload() instanceof TaskCompleted) {
                throw new IllegalStateException("completion refused on attempt " + delivery.attempt());
            }
            handled.add(((TaskCreated) message.payload()).taskId());
        }, TaskCreated.class, TaskCompleted.class).endpointQueue()).withRetry(RetryPolicy.of(1, Duration.ofMillis(50))));
        String queue = convention("tasks").endpointQueue("task_board");

        bus.publish(new TaskCreated("t-1", 1));
        bus.publish(new TaskCompleted("t-1"));
        DeadLetter failed = awaitDeadLetter(bus.admin(), queue);
        assertEquals(DeadLetterReason.MAX_RETRIES_EXCEEDED, failed.reason());
        assertEquals(2, failed.attempts(), "one retry through the endpoint queue's own retry route");
        assertEquals(convention("tasks").routingKey(MessageType.of(TaskCompleted.class)), failed.routingKey());
        assertEquals(List.of("t-1"), handled);

        bus.admin().deliverTo(queue, encode(new PrintLabel("not a task")));
        Await.until("a second dead letter on " + queue, TIMEOUT, () -> bus.admin().deadLetters().count(queue) == 2,
                () -> bus.admin().deadLetters().peek(queue, 10).toString());
        List<DeadLetterReason> reasons = bus.admin().deadLetters().peek(queue, 10).stream().map(DeadLetter::reason).toList();
        assertEquals(List.of(DeadLetterReason.MAX_RETRIES_EXCEEDED, DeadLetterReason.UNKNOWN_TYPE), reasons,
                "a type the endpoint does not name is dead-lettered without running the handler");
        assertEquals(List.of("t-1"), handled);
    }

    @Test
    void pausedHandlersMessagesWaitUntilResumed() {
        List<Integer> seen = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "pausable",
                m -> seen.add(m.payload().seq()))));
        bus.pause("pausable");
        assertEquals(HandlerStatus.State.PAUSED, bus.health().handlers().get(0).state());
        assertTrue(bus.health().healthy(), "a paused handler is healthy: " + bus.health().problems());
        bus.publish(List.of(new TaskCreated("t-1", 1), new TaskCreated("t-2", 2), new TaskCreated("t-3", 3)));
        assertQuiet("a paused handler receives nothing", () -> !seen.isEmpty());

        bus.resume("pausable");
        Await.received("pausable", 3, seen, TIMEOUT);
        assertEquals(List.of(1, 2, 3), seen);
        assertEquals(HandlerStatus.State.CONSUMING, bus.health().handlers().get(0).state());
    }

    @Test
    void clearIsRefusedWhileHandlersConsume() {
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "busy", m -> { })));
        EventBusException error = assertThrows(EventBusException.class, () -> bus.admin().clear());
        assertTrue(error.getMessage().contains("stop"), error.getMessage());
        assertThrows(EventBusException.class, () -> bus.admin().clearHandler("busy"));
        bus.pause("busy");
        bus.admin().clearHandler("busy");
    }

    @Test
    void stopWaitsForRunningHandlersToFinish() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        List<String> finished = list();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "slow", m -> {
            started.countDown();
            Thread.sleep(300);
            finished.add(m.payload().taskId());
        })));
        bus.publish(new TaskCreated("t-1", 1));
        assertTrue(started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the handler never started");
        bus.stop();
        assertEquals(List.of("t-1"), finished, "stop() returned before the running handler finished");
    }

    @Test
    void handlerInterruptedByStopIsNeitherRetriedNorDeadLettered() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        BusSpec spec = BusSpec.of("tasks", Subscription.of(TaskCreated.class, "stuck", m -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
        })).withStopTimeout(Duration.ofMillis(200));
        EventBus bus = fixture().start(spec);
        bus.publish(new TaskCreated("t-1", 1));
        assertTrue(started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the handler never started");
        bus.stop();
        assertTrue(interrupted.get(), "stop() past its timeout interrupts the handler");

        String queue = queue("tasks", TaskCreated.class, "stuck");
        EventBusAdmin admin = fixture().adminAfterStop(bus, spec);
        assertEquals(0, admin.deadLetters().count(queue), "an interrupted handler's message is not dead-lettered");
        if (fixture().survivesStop()) {
            List<Delivery> again = list();
            fixture().start(BusSpec.of("tasks", Subscription.handling(TaskCreated.class, "stuck",
                    (message, delivery) -> again.add(delivery))));
            Await.received("stuck (after a restart)", 1, again, TIMEOUT);
            assertQuiet("the message came back once", () -> again.size() > 1);
            assertEquals(1, again.get(0).attempt(), "the interruption counts no retry");
            assertEquals(0, admin.deadLetters().count(queue));
        }
    }

    @Test
    void healthCoversEveryHandler() {
        EventBus bus = fixture().start(BusSpec.of("tasks",
                Subscription.of(TaskCreated.class, "one", m -> { }), Subscription.of(PrintLabel.class, "two", m -> { })));
        assertTrue(bus.health().healthy(), () -> "unhealthy: " + bus.health().problems());
        assertEquals(List.of("one", "two"), bus.health().handlers().stream().map(HandlerStatus::handler).sorted().toList());
        assertTrue(bus.health().handlers().stream().allMatch(status -> status.state() == HandlerStatus.State.CONSUMING),
                () -> bus.health().handlers().toString());
    }

    // ---------------------------------------------------------------- observers and correlation

    @Test
    void aMessagePublishedByAHandlerCarriesItsCauseAsCausationAndCorrelation() {
        List<Message<TaskCompleted>> completed = list();
        List<String> logContext = list();
        EventBus[] bus = new EventBus[1];
        bus[0] = fixture().start(BusSpec.of("tasks",
                Subscription.of(TaskCreated.class, "complete_task", m -> {
                    logContext.add(String.valueOf(org.slf4j.MDC.get(dev.eventbus.core.pipeline.LogContext.MESSAGE_ID)));
                    bus[0].publish(new TaskCompleted(m.payload().taskId()));
                }),
                Subscription.of(TaskCompleted.class, "on_completed", completed::add)));
        Message<TaskCreated> first = Message.of(new TaskCreated("t-1", 1));
        bus[0].publish(first);
        Await.received("on_completed", 1, completed, TIMEOUT);
        Message<TaskCompleted> caused = completed.get(0);
        assertEquals(java.util.Optional.of(first.id()), caused.causationId(), "causation: the message being handled");
        assertEquals(java.util.Optional.of(first.id()), caused.correlationId(), "correlation: the first message's id");
        assertEquals(List.of(first.id()), logContext, "the handler thread's MDC names the message");
        assertEquals(java.util.Optional.empty(), first.correlationId());
    }

    @Test
    void observersSeeEveryPublishAndEveryOutcome() {
        RecordingObserver observer = new RecordingObserver();
        AtomicInteger calls = new AtomicInteger();
        EventBus bus = fixture().start(BusSpec.of("tasks",
                Subscription.of(TaskCreated.class, "flaky", m -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                }),
                Subscription.of(PrintLabel.class, "broken", m -> {
                    throw new NonRetryableException("never");
                })).withObserver(observer));
        bus.publish(new TaskCreated("t-1", 1));
        bus.publish(new PrintLabel("x"));
        Await.until("retry, handled and dead letter observed", TIMEOUT,
                () -> observer.outcomes().containsAll(List.of("flaky:Retry", "flaky:Handled", "broken:DeadLettered")),
                () -> observer.outcomes().toString());
        Await.until("both publishes confirmed", TIMEOUT, () -> observer.confirmed() == 2, () -> observer.confirmed() + " confirmed");
        assertEquals(2, observer.published());
        assertEquals(0, observer.publishFailed());
        assertEquals(3, observer.received(), "one received per delivery: two of flaky, one of broken");
        assertEquals(observer.scopesOpened(), observer.scopesClosed(), "every handling scope closed");
        assertEquals(3, observer.scopesOpened());
    }

    @Test
    void observersSeeAHandlerPausedAndResumed() {
        RecordingObserver observer = new RecordingObserver();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "pausable", m -> { }))
                .withObserver(observer));
        int before = observer.consumerChanges().size();
        bus.pause("pausable");
        bus.pause("pausable");
        bus.resume("pausable");
        String queue = queue("tasks", TaskCreated.class, "pausable");
        List<String> changes = observer.consumerChanges();
        assertEquals(List.of("pausable " + queue + " PAUSED", "pausable " + queue + " CONSUMING"),
                changes.subList(before, changes.size()), "pausing twice is one change; resuming consumes again");
    }

    /** Counts what an {@link dev.eventbus.core.EventBusObserver} is told. Thread-safe. */
    static final class RecordingObserver implements dev.eventbus.core.EventBusObserver {
        private final AtomicInteger published = new AtomicInteger();
        private final AtomicInteger confirmed = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicInteger received = new AtomicInteger();
        private final AtomicInteger opened = new AtomicInteger();
        private final AtomicInteger closed = new AtomicInteger();
        private final List<String> outcomes = new CopyOnWriteArrayList<>();
        private final List<String> consumerChanges = new CopyOnWriteArrayList<>();

        @Override
        public void consumerChanged(String handler, String queue, HandlerStatus.State state,
                                    @org.jspecify.annotations.Nullable String detail) {
            consumerChanges.add(handler + " " + queue + " " + state);
        }

        List<String> consumerChanges() {
            return consumerChanges;
        }

        @Override
        public void published(EncodedMessage message) {
            published.incrementAndGet();
        }

        @Override
        public void confirmed(EncodedMessage message, Duration latency) {
            confirmed.incrementAndGet();
        }

        @Override
        public void publishFailed(EncodedMessage message, Throwable failure) {
            failed.incrementAndGet();
        }

        @Override
        public void received(dev.eventbus.core.Endpoint endpoint, dev.eventbus.core.pipeline.IncomingDelivery delivery) {
            received.incrementAndGet();
        }

        @Override
        public Scope handling(dev.eventbus.core.Endpoint endpoint, Message<?> message, Delivery delivery) {
            opened.incrementAndGet();
            return closed::incrementAndGet;
        }

        @Override
        public void delivered(dev.eventbus.core.Endpoint endpoint, dev.eventbus.core.pipeline.Outcome outcome, Duration duration) {
            outcomes.add(endpoint.handlerName() + ":" + outcome.getClass().getSimpleName());
        }

        int published() {
            return published.get();
        }

        int confirmed() {
            return confirmed.get();
        }

        int publishFailed() {
            return failed.get();
        }

        int received() {
            return received.get();
        }

        int scopesOpened() {
            return opened.get();
        }

        int scopesClosed() {
            return closed.get();
        }

        List<String> outcomes() {
            return outcomes;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A validator that refuses a {@code task.created} whose {@code seq} is negative. */
    private static MessageValidator negativeSeqIsInvalid() {
        return (name, version, attributes) -> {
            if (name.equals("task.created") && attributes.path("seq").asInt() < 0) {
                throw new InvalidMessageException(name, version, List.of("$.seq: must be 0 or more"));
            }
        };
    }

    private static byte[] encode(Object payload) {
        return new MessageCodec(new MessageRegistry()).encode(Message.of(payload));
    }

    private static DeadLetter awaitDeadLetter(EventBusAdmin admin, String queue) {
        List<DeadLetter> letters = Await.untilValue("a dead letter of " + queue, TIMEOUT,
                () -> admin.deadLetters().peek(queue, 10), seen -> !seen.isEmpty());
        assertEquals(1, letters.size(), () -> "one dead letter expected, got " + letters);
        return letters.get(0);
    }

    /** Watches for {@link #QUIET} that something does not happen. */
    private static void assertQuiet(String what, java.util.function.BooleanSupplier happened) {
        dev.eventbus.testkit.Await.quietFor(what, QUIET, happened);
    }
}
