package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemoryEventBusTest {

    record UserCreated(String userId, String name) implements Event { }

    @MessageName("user.created")
    @MessageVersion(2)
    record UserCreatedV2(String userId, String email) implements Event { }

    record CreateUser(String userId) implements Command { }

    record OrderPlaced(String orderId) implements Event { }

    /** Jackson writes it (a getter) but cannot read it back (no creator): undecodable on delivery. */
    static final class Opaque {
        private final String value;

        Opaque(String value) {
            this.value = value;
        }

        public String getValue() {
            return value;
        }
    }

    /** Jackson cannot write it at all. */
    static final class NoProperties {
    }

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(1);
    private static final RetryPolicy FAST_RETRIES = RetryPolicy.of(3, Duration.ofMillis(5));

    private final List<InMemoryEventBus> buses = new ArrayList<>();

    @AfterEach
    void stopBuses() {
        buses.forEach(InMemoryEventBus::stop);
    }

    private InMemoryEventBus started(InMemoryEventBusBuilder builder) {
        InMemoryEventBus bus = builder.build();
        buses.add(bus);
        bus.start();
        return bus;
    }

    private static void awaitIdle(InMemoryEventBus bus) {
        assertTrue(bus.awaitIdle(WAIT), () -> "bus not idle after " + WAIT + "; dead letters so far: " + bus.deadLetters());
    }

    private static void awaitUntil(BooleanSupplier condition, Supplier<String> observed) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within " + WAIT + "; observed: " + observed.get());
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }

    // ---- routing ----

    @Test
    void routesByNameAndVersionSoEachVersionReachesItsOwnHandler() {
        Queue<Object> v1 = new ConcurrentLinkedQueue<>();
        Queue<Object> v2 = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "v1_handler", m -> v1.add(m.payload())))
                .subscribe(Subscription.of(UserCreatedV2.class, "v2_handler", m -> v2.add(m.payload()))));

        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new UserCreatedV2("u-2", "bob@example.com"));
        awaitIdle(bus);

        assertEquals(List.of(new UserCreated("u-1", "Alice")), List.copyOf(v1), "v1 handler");
        assertEquals(List.of(new UserCreatedV2("u-2", "bob@example.com")), List.copyOf(v2), "v2 handler");
    }

    @Test
    void routesByKindSoAnEventNamedLikeACommandDoesNotReachTheCommandHandler() {
        Queue<Message<CreateUser>> received = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(CreateUser.class, "create_user_handler", received::add)));

        bus.publish(new Message<>(UUID.randomUUID().toString(), "create.user", 1, MessageKind.DOMAIN_EVENT, Instant.now(),
                new CreateUser("u-0"), Map.of()));
        bus.publish(new CreateUser("u-1"));
        awaitIdle(bus);

        assertEquals(List.of(new CreateUser("u-1")), received.stream().map(Message::payload).toList());
        assertEquals(MessageKind.COMMAND, received.peek().kind());
    }

    @Test
    void handlerReceivesTheMessageWithItsEnvelope() {
        Queue<Message<UserCreated>> received = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", received::add)));
        Message<UserCreated> published = Message.of(new UserCreated("u-1", "Alice")).withMeta("correlation_id", "c-1");

        bus.publish(published);
        awaitIdle(bus);

        assertEquals(List.of(published), List.copyOf(received));
    }

    @Test
    void storeSeesEveryEventAndCommandUntyped() {
        Queue<Message<Map<String, Object>>> stored = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.store("event_store", stored::add))
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> { })));

        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new OrderPlaced("o-1"));
        bus.publish(new CreateUser("u-2"));
        awaitIdle(bus);

        assertEquals(List.of("user.created", "order.placed", "create.user"), stored.stream().map(Message::name).toList());
        assertEquals(Map.of("user_id", "u-1", "name", "Alice"), stored.peek().payload());
        assertEquals(List.of(MessageKind.DOMAIN_EVENT, MessageKind.DOMAIN_EVENT, MessageKind.COMMAND),
                stored.stream().map(Message::kind).toList());
    }

    @Test
    void handlersSeeWhichAttemptTheyRunThroughDeliveryCurrent() {
        Queue<Delivery> seen = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(RetryPolicy.of(3, Duration.ofMillis(5)))
                .subscribe(Subscription.of(UserCreated.class, "counting", m -> {
                    seen.add(Delivery.current().orElseThrow());
                    if (seen.size() < 3) {
                        throw new IllegalStateException("not yet");
                    }
                })));

        bus.publish(new UserCreated("u-1", "Alice"));
        awaitIdle(bus);

        assertEquals(List.of(1, 2, 3), seen.stream().map(Delivery::attempt).toList());
        Delivery first = seen.peek();
        assertEquals("counting", first.handler());
        assertEquals("local.inmemory.1.event.user_created.counting", first.queue());
        assertEquals("local.inmemory.1.event.user_created", first.routingKey());
        assertTrue(Delivery.current().isEmpty(), "no delivery outside a handler call");
    }

    @Test
    void everyAllMessagesHandlerSeesEveryEventAndCommand() {
        Queue<String> statistics = new ConcurrentLinkedQueue<>();
        Queue<String> audit = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.allMessages("statistics", m -> statistics.add(m.name())))
                .subscribe(Subscription.allMessages("audit", m -> audit.add(m.name()))));

        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new CreateUser("u-2"));
        awaitIdle(bus);

        assertEquals(List.of("user.created", "create.user"), List.copyOf(statistics));
        assertEquals(List.of("user.created", "create.user"), List.copyOf(audit));
    }

    @Test
    void messageNobodySubscribedToIsDropped() {
        AtomicInteger calls = new AtomicInteger();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> calls.incrementAndGet())));

        bus.publish(new OrderPlaced("o-1"));
        awaitIdle(bus);

        assertEquals(0, calls.get(), "handler of another type was called");
        assertEquals(List.of(), bus.deadLetters());
    }

    @Test
    void handlersRunOnTheBusThreadsNeverOnThePublisher() {
        Queue<String> threads = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> threads.add(Thread.currentThread().getName()))));

        bus.publish(new UserCreated("u-1", "Alice"));
        awaitIdle(bus);

        assertEquals(1, threads.size());
        String thread = threads.peek();
        assertTrue(thread.startsWith("eventbus-inmemory-") && thread.contains("-handler-"),
                () -> "expected a bus handler thread, got " + thread);
        assertFalse(thread.equals(Thread.currentThread().getName()), "handler ran on the publisher's thread");
    }

    @Test
    void messagesPublishedBeforeStartAreDeliveredOnStart() {
        Queue<Object> received = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> received.add(m.payload())))
                .build();
        buses.add(bus);

        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new UserCreated("u-2", "Bob"));
        assertTrue(bus.awaitIdle(Duration.ZERO), "held messages must not count as busy before start");
        assertEquals(0, received.size(), "delivered before start");

        bus.start();
        awaitIdle(bus);
        assertEquals(List.of(new UserCreated("u-1", "Alice"), new UserCreated("u-2", "Bob")), List.copyOf(received));
    }

    @Test
    void handlerSubscribedAfterStartReceivesAtOnce() {
        Queue<Object> received = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder());

        bus.subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> received.add(m.payload())));
        bus.publish(new UserCreated("u-1", "Alice"));
        awaitIdle(bus);

        assertEquals(List.of(new UserCreated("u-1", "Alice")), List.copyOf(received));
    }

    @Test
    void defaultConstructedBusDeliversToSubscribedHandlers() {
        Queue<Object> received = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = new InMemoryEventBus();
        buses.add(bus);
        bus.subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> received.add(m.payload())));
        bus.start();

        bus.publish(List.of(new UserCreated("u-1", "Alice"), Message.of(new UserCreated("u-2", "Bob"))));
        awaitIdle(bus);

        assertEquals(2, received.size(), () -> "received " + received);
        assertEquals(Convention.of("local", "inmemory"), bus.convention());
    }

    // ---- retries and dead letters ----

    @Test
    void retriesAFailingHandlerUntilItSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        int failures = 2;
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(FAST_RETRIES)
                .subscribe(Subscription.of(UserCreated.class, "flaky_handler", m -> {
                    if (calls.incrementAndGet() <= failures) {
                        throw new IllegalStateException("mail server down");
                    }
                    handled.incrementAndGet();
                })));

        bus.publish(new UserCreated("u-1", "Alice"));
        awaitIdle(bus);

        assertEquals(failures + 1, calls.get(), "handler runs: first attempt plus one per failure");
        assertEquals(1, handled.get(), "successful runs");
        assertEquals(List.of(), bus.deadLetters());
    }

    @Test
    void retriesThenDeadLettersAfterMaxRetries() {
        AtomicInteger calls = new AtomicInteger();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(FAST_RETRIES)
                .convention(Convention.of("alice", "petisco"))
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("mail server down");
                })));
        Message<UserCreated> published = Message.of(new UserCreated("u-1", "Alice"));

        bus.publish(published);
        awaitIdle(bus);

        assertEquals(FAST_RETRIES.maxRetries() + 1, calls.get(), "handler runs");
        List<DeadLetter> deadLetters = bus.deadLetters("send_mail_handler");
        assertEquals(1, deadLetters.size(), () -> "dead letters: " + deadLetters);
        DeadLetter letter = deadLetters.get(0);
        assertEquals(DeadLetterReason.MAX_RETRIES_EXCEEDED, letter.reason());
        assertEquals(FAST_RETRIES.maxRetries() + 1, letter.attempts());
        assertEquals("send_mail_handler", letter.handler());
        assertEquals("alice.petisco.1.event.user_created.send_mail_handler", letter.queue());
        assertEquals("alice.petisco.1.event.user_created", letter.routingKey());
        assertEquals(IllegalStateException.class.getName(), letter.exceptionClass());
        assertEquals("mail server down", letter.exceptionMessage());
        assertEquals(published, new MessageCodec(new MessageRegistry().register(UserCreated.class)).decode(letter.body()),
                "dead letter body decodes to the published message");
    }

    @Test
    void subscriptionRetryPolicyOverridesTheBusDefault() {
        AtomicInteger calls = new AtomicInteger();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(FAST_RETRIES)
                .subscribe(Subscription.of(UserCreated.class, "impatient_handler", (Message<UserCreated> m) -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("no");
                }).withRetry(RetryPolicy.none())));

        bus.publish(new UserCreated("u-1", "Alice"));
        awaitIdle(bus);

        assertEquals(1, calls.get(), "handler runs with no retries");
        assertEquals(1, bus.deadLetters().get(0).attempts());
        assertEquals(DeadLetterReason.MAX_RETRIES_EXCEEDED, bus.deadLetters().get(0).reason());
    }

    @Test
    void nonRetryableFailureGoesStraightToTheDeadLetters() {
        AtomicInteger calls = new AtomicInteger();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(FAST_RETRIES)
                .subscribe(Subscription.of(UserCreated.class, "strict_handler", m -> {
                    calls.incrementAndGet();
                    throw new NonRetryableException("user u-1 is banned");
                })));

        bus.publish(new UserCreated("u-1", "Alice"));
        awaitIdle(bus);

        assertEquals(1, calls.get(), "handler runs");
        DeadLetter letter = bus.deadLetters().get(0);
        assertEquals(DeadLetterReason.NON_RETRYABLE, letter.reason());
        assertEquals(1, letter.attempts());
        assertEquals("user u-1 is banned", letter.exceptionMessage());
    }

    @Test
    void undecodableMessageGoesStraightToTheDeadLettersWithoutRunningTheHandler() {
        AtomicInteger calls = new AtomicInteger();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(FAST_RETRIES)
                .subscribe(Subscription.of(Opaque.class, "opaque_handler", m -> calls.incrementAndGet())));

        bus.publish(new Opaque("v"));
        awaitIdle(bus);

        assertEquals(0, calls.get(), "handler runs");
        DeadLetter letter = bus.deadLetters().get(0);
        assertEquals(DeadLetterReason.UNDECODABLE, letter.reason());
        assertEquals(0, letter.attempts());
        assertEquals(MessageDecodingException.class.getName(), letter.exceptionClass());
        assertEquals("local.inmemory.1.event.opaque.opaque_handler", letter.queue());
    }

    @Test
    void payloadThatCannotBeWrittenFailsOnPublish() {
        AtomicInteger calls = new AtomicInteger();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(NoProperties.class, "empty_handler", m -> calls.incrementAndGet())));

        assertThrows(MessageEncodingException.class, () -> bus.publish(new NoProperties()));
        awaitIdle(bus);
        assertEquals(0, calls.get(), "handler runs");
    }

    @Test
    void invalidMessageIsRejectedOnPublishAndNothingIsDelivered() {
        AtomicInteger calls = new AtomicInteger();
        MessageValidator requiresName = (name, version, attributes) -> {
            if (!attributes.hasNonNull("name")) {
                throw new InvalidMessageException(name, version, List.of("/name: is required"));
            }
        };
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .validator(requiresName)
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> calls.incrementAndGet())));

        InvalidMessageException error = assertThrows(InvalidMessageException.class,
                () -> bus.publish(new UserCreated("u-1", null)));
        assertEquals(List.of("/name: is required"), error.violations());
        CompletableFuture<Void> async = bus.publishAsync(Message.of(new UserCreated("u-2", null)));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> async.get(1, TimeUnit.SECONDS));
        assertInstanceOf(InvalidMessageException.class, failed.getCause());
        awaitIdle(bus);

        assertEquals(0, calls.get(), "handler runs");
        assertEquals(List.of(), bus.deadLetters());
    }

    @Test
    void messageInvalidOnDeliveryGoesStraightToTheDeadLetters() {
        AtomicInteger validations = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        // Valid when published, invalid when consumed: as if the consumer had a newer schema.
        MessageValidator newerSchemaOnConsume = (name, version, attributes) -> {
            if (validations.incrementAndGet() > 1) {
                throw new InvalidMessageException(name, version, List.of("/email: is required"));
            }
        };
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(FAST_RETRIES)
                .validator(newerSchemaOnConsume)
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> calls.incrementAndGet())));

        bus.publish(new UserCreated("u-1", "Alice"));
        awaitIdle(bus);

        assertEquals(0, calls.get(), "handler runs");
        DeadLetter letter = bus.deadLetters().get(0);
        assertEquals(DeadLetterReason.INVALID, letter.reason());
        assertEquals(0, letter.attempts());
        assertTrue(letter.exceptionMessage().contains("/email: is required"), letter::exceptionMessage);
    }

    @Test
    void deadLettersAreListedPerHandler() {
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(RetryPolicy.of(0, Duration.ofMillis(1)))
                .subscribe(Subscription.of(UserCreated.class, "failing_handler", m -> {
                    throw new IllegalStateException("boom");
                }))
                .subscribe(Subscription.of(UserCreated.class, "working_handler", m -> { })));

        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new UserCreated("u-2", "Bob"));
        awaitIdle(bus);

        assertEquals(2, bus.deadLetters("failing_handler").size());
        assertEquals(List.of(), bus.deadLetters("working_handler"));
        assertEquals(List.of(), bus.deadLetters("no_such_handler"));
        assertEquals(2, bus.deadLetters().size());
    }

    // ---- unsubscribe and resume ----

    @Test
    void unsubscribedHandlersMessagesWaitUntilResume() {
        Queue<Object> paused = new ConcurrentLinkedQueue<>();
        Queue<Object> other = new ConcurrentLinkedQueue<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> paused.add(m.payload())))
                .subscribe(Subscription.of(UserCreated.class, "audit_handler", m -> other.add(m.payload()))));

        bus.pause("send_mail_handler");
        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new UserCreated("u-2", "Bob"));
        awaitIdle(bus);
        assertEquals(0, paused.size(), () -> "unsubscribed handler received " + paused);
        assertEquals(2, other.size(), "the other handler keeps receiving");

        bus.resume("send_mail_handler");
        awaitIdle(bus);
        assertEquals(List.of(new UserCreated("u-1", "Alice"), new UserCreated("u-2", "Bob")), List.copyOf(paused));
    }

    @Test
    void retryDueWhileUnsubscribedWaitsForResume() {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<InMemoryEventBus> busRef = new AtomicReference<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(RetryPolicy.of(1, Duration.ofMillis(5)))
                .subscribe(Subscription.of(UserCreated.class, "flaky_handler", m -> {
                    if (calls.incrementAndGet() == 1) {
                        busRef.get().pause("flaky_handler"); // before the retry can be due
                        throw new IllegalStateException("first try fails");
                    }
                })));
        busRef.set(bus);

        bus.publish(new UserCreated("u-1", "Alice"));
        awaitIdle(bus);
        assertEquals(1, calls.get(), "the retry ran while the handler was unsubscribed");

        bus.resume("flaky_handler");
        awaitIdle(bus);
        assertEquals(2, calls.get(), "handler runs after resume");
        assertEquals(List.of(), bus.deadLetters());
    }

    @Test
    void unknownHandlerNameIsAConfigurationError() {
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> { })));

        ConfigurationException error = assertThrows(ConfigurationException.class, () -> bus.pause("send_mail"));
        assertTrue(error.getMessage().contains("[send_mail_handler]"), error::getMessage);
        assertThrows(ConfigurationException.class, () -> bus.resume("send_mail"));
    }

    @Test
    void twoHandlersWithOneNameAreAConfigurationError() {
        InMemoryEventBusBuilder builder = InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> { }))
                .subscribe(Subscription.of(OrderPlaced.class, "send_mail_handler", m -> { }));

        ConfigurationException error = assertThrows(ConfigurationException.class, builder::build);
        assertTrue(error.getMessage().contains("already subscribed"), error::getMessage);
    }

    @Test
    void builderRejectsSettingsThatCannotWork() {
        assertThrows(ConfigurationException.class, () -> InMemoryEventBus.builder().handlerThreads(0));
        assertThrows(ConfigurationException.class, () -> InMemoryEventBus.builder().stopTimeout(Duration.ofSeconds(-1)));
    }

    // ---- stop ----

    @Test
    void stopLetsARunningHandlerFinishAndDropsQueuedMessages() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean finished = new AtomicBoolean();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "slow_handler", m -> {
                    calls.incrementAndGet();
                    running.countDown();
                    release.await();
                    finished.set(true);
                })));
        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new UserCreated("u-2", "Bob"));
        assertTrue(running.await(WAIT.toSeconds(), TimeUnit.SECONDS), "handler did not start");

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(bus::stop);
        awaitUntil(() -> publishFailsBecauseStopped(bus), () -> "bus still accepts messages");
        assertFalse(stopping.isDone(), "stop() returned while a handler was still running");

        release.countDown();
        stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(finished.get(), "the running handler was not allowed to finish");
        assertEquals(1, calls.get(), "queued messages must be dropped, not handled, after stop");
        assertTrue(bus.awaitIdle(Duration.ZERO), "a stopped bus is idle");
    }

    private static boolean publishFailsBecauseStopped(InMemoryEventBus bus) {
        try {
            bus.publish(new UserCreated("u-probe", "Probe"));
            return false;
        } catch (EventBusStoppedException stopped) {
            return true;
        }
    }

    @Test
    void stopDropsScheduledRetriesWithoutWaitingForThem() {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch failed = new CountDownLatch(1);
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(RetryPolicy.of(3, Duration.ofSeconds(30)))
                .subscribe(Subscription.of(UserCreated.class, "failing_handler", m -> {
                    calls.incrementAndGet();
                    failed.countDown();
                    throw new IllegalStateException("down");
                })));
        bus.publish(new UserCreated("u-1", "Alice"));
        awaitUntil(() -> failed.getCount() == 0 && !bus.awaitIdle(Duration.ZERO), () -> "calls=" + calls.get());

        long start = System.nanoTime();
        bus.stop();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, () -> "stop waited " + took + " for a scheduled retry");
        assertTrue(bus.awaitIdle(Duration.ZERO), "a stopped bus is idle");
        assertEquals(1, calls.get(), "handler runs");
        assertEquals(List.of(), bus.deadLetters(), "a dropped retry is not a dead letter");
    }

    @Test
    void stopInterruptsHandlersThatOutliveTheStopTimeout() {
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .stopTimeout(Duration.ofMillis(50))
                .subscribe(Subscription.of(UserCreated.class, "stuck_handler", m -> {
                    running.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                })));
        bus.publish(new UserCreated("u-1", "Alice"));
        awaitUntil(() -> running.getCount() == 0, () -> "handler did not start");

        bus.stop();

        awaitUntil(interrupted::get, () -> "handler was not interrupted");
        assertTrue(bus.awaitIdle(WAIT), "bus not idle after its last handler was interrupted");
    }

    @Test
    void stopCalledFromAHandlerDoesNotWaitForThatHandler() {
        AtomicReference<InMemoryEventBus> busRef = new AtomicReference<>();
        AtomicReference<Duration> stopTook = new AtomicReference<>();
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "shutdown_handler", m -> {
                    long start = System.nanoTime();
                    busRef.get().stop();
                    stopTook.set(Duration.ofNanos(System.nanoTime() - start));
                })));
        busRef.set(bus);

        bus.publish(new UserCreated("u-1", "Alice"));

        awaitUntil(() -> stopTook.get() != null, () -> "stop() called from the handler did not return");
        assertTrue(stopTook.get().compareTo(Duration.ofSeconds(5)) < 0,
                () -> "stop() from a handler waited " + stopTook.get() + " for its own thread");
        assertThrows(EventBusStoppedException.class, () -> bus.publish(new UserCreated("u-2", "Bob")));
    }

    @Test
    void publishSubscribeAndStartAfterStopFailAndStopIsIdempotent() {
        InMemoryEventBus bus = started(InMemoryEventBus.builder());
        bus.stop();
        bus.stop();

        EventBusStoppedException error = assertThrows(EventBusStoppedException.class,
                () -> bus.publish(new UserCreated("u-1", "Alice")));
        assertTrue(error.getMessage().contains("is stopped"), error::getMessage);
        assertTrue(error.getMessage().contains("user.created"), error::getMessage);
        assertThrows(EventBusStoppedException.class,
                () -> bus.subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> { })));
        assertThrows(EventBusStoppedException.class, bus::start);
        CompletableFuture<Void> async = bus.publishAsync(Message.of(new UserCreated("u-1", "Alice")));
        assertTrue(async.isCompletedExceptionally(), "publishAsync after stop must fail");
    }

    @Test
    void closeStopsTheBus() {
        InMemoryEventBus bus = started(InMemoryEventBus.builder());
        bus.close();
        assertThrows(EventBusStoppedException.class, () -> bus.publish(new UserCreated("u-1", "Alice")));
    }

    @Test
    void awaitIdleTimesOutWhileAHandlerRuns() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .subscribe(Subscription.of(UserCreated.class, "slow_handler", m -> release.await())));
        bus.publish(new UserCreated("u-1", "Alice"));

        assertFalse(bus.awaitIdle(Duration.ofMillis(50)), "idle while a handler was blocked");
        release.countDown();
        awaitIdle(bus);
    }

    // ---- concurrency ----

    @Test
    void manyPublishingThreadsLoseNoMessage() throws Exception {
        int publishers = 8;
        int perPublisher = 250;
        Set<String> handled = ConcurrentHashMap.newKeySet();
        Set<String> stored = ConcurrentHashMap.newKeySet();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failuresLeft = new AtomicInteger(100);
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .handlerThreads(4)
                // Enough retries that no order runs out of them, however the injected failures fall.
                .retryPolicy(RetryPolicy.of(100, Duration.ofMillis(1)))
                .subscribe(Subscription.of(OrderPlaced.class, "order_handler", m -> {
                    calls.incrementAndGet();
                    if (failuresLeft.getAndDecrement() > 0) {
                        throw new IllegalStateException("transient");
                    }
                    handled.add(m.payload().orderId());
                }))
                .subscribe(Subscription.store("event_store", m -> stored.add((String) m.payload().get("order_id")))));

        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perPublisher; i++) {
                        bus.publish(new OrderPlaced(UUID.randomUUID().toString()));
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        awaitIdle(bus);

        int total = publishers * perPublisher;
        assertEquals(total, handled.size(), "distinct orders handled");
        assertEquals(total, stored.size(), "distinct orders stored");
        assertEquals(total + 100, calls.get(), "handler runs: one per order plus one per injected failure");
        assertEquals(List.of(), bus.deadLetters());
    }

    @Test
    void deadLettersSnapshotIsNotAffectedByLaterFailures() {
        InMemoryEventBus bus = started(InMemoryEventBus.builder()
                .retryPolicy(RetryPolicy.of(0, Duration.ofMillis(1)))
                .subscribe(Subscription.of(UserCreated.class, "failing_handler", m -> {
                    throw new IllegalStateException("boom");
                })));
        bus.publish(new UserCreated("u-1", "Alice"));
        awaitIdle(bus);
        List<DeadLetter> snapshot = bus.deadLetters();

        bus.publish(new UserCreated("u-2", "Bob"));
        awaitIdle(bus);

        assertEquals(1, snapshot.size(), "earlier snapshot");
        assertEquals(2, bus.deadLetters().size(), "current dead letters");
        assertThrows(UnsupportedOperationException.class, () -> snapshot.add(snapshot.get(0)));
        assertNull(DeadLetterReason.fromWire("no_such_reason"));
    }
}
