package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.FailureClassification;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.Headers;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ladders and backoff on the broker: the shared delay queues, the attempt count in our own header, classic and quorum
 * queues, a handler moving between the fixed retry queue and a ladder with messages waiting, and bus-wide failure
 * classification.
 */
@RabbitMqTest
class RetrySchedulesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aLadderWaitsEachStepInTheServicesDelayQueuesAndCountsAttemptsInOurOwnHeader(TestBroker broker) throws Exception {
        assertLadderOn(broker, QueueType.CLASSIC);
    }

    @Test
    void aLadderWorksOnQuorumQueues(TestBroker broker) throws Exception {
        assertLadderOn(broker, QueueType.QUORUM);
    }

    private static void assertLadderOn(TestBroker broker, QueueType type) throws Exception {
        List<Long> times = new CopyOnWriteArrayList<>();
        RetryPolicy ladder = RetryPolicy.ladder(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofMillis(800));
        RabbitMqEventBus bus = broker.bus(b -> b.queueType(type).subscribe(Subscription.of(UserCreated.class, "laddered", m -> {
            times.add(System.nanoTime());
            throw new IllegalStateException("dependency down");
        }).withRetry(ladder)));
        bus.admin().configure();
        bus.start();
        bus.publish(new UserCreated("u-1", "Ada"));

        String queue = queue(broker, "laddered");
        DeadLetter letter = Await.deadLetter(bus, queue, DeadLetterReason.MAX_RETRIES_EXCEEDED, TIMEOUT);
        assertEquals(4, letter.attempts());
        assertEquals(4, times.size(), "the first attempt and one per step");
        long[] steps = {100, 400, 800};
        for (int i = 0; i < steps.length; i++) {
            long gap = TimeUnit.NANOSECONDS.toMillis(times.get(i + 1) - times.get(i));
            assertTrue(gap >= steps[i] * 9 / 10, "retry " + (i + 1) + " came " + gap + " ms after the attempt before; step "
                    + steps[i] + " ms");
        }
        Map<String, Object> headers = rawDeadLetterHeaders(broker, queue);
        assertEquals(3, Headers.asInt(headers.get(Headers.RETRY_COUNT)), "our retry counter after three delayed retries");
        assertEquals(3, Headers.asInt(headers.get(Headers.DELAYED_RETRIES)));
        assertFalse(headers.keySet().stream().anyMatch(key -> key.startsWith("x-death") || key.startsWith("x-first-death")
                || key.startsWith("x-last-death")), "the broker's death headers are stripped: " + headers.keySet());
        assertFalse(headers.containsKey(Headers.DELAY), "a dead letter has no delay: " + headers.keySet());
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            for (long step : steps) {
                String delayQueue = Topology.delayQueue(broker.convention(), (int) step);
                assertEquals(0, channel.queueDeclarePassive(delayQueue).getMessageCount(), delayQueue + " exists and is drained");
            }
        }
        assertTrue(bus.admin().topology().queue(broker.convention().retryQueue(queue)).isEmpty(),
                "a ladder has no retry queue of its own");
    }

    @Test
    void handlersWithTheSameDelayShareOneDelayQueueAndEachCopyReturnsToItsOwnHandlerOnly(TestBroker broker) {
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        RetryPolicy policy = RetryPolicy.ladder(1, Duration.ofMillis(300));
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(
                Subscription.handling(UserCreated.class, "first_handler", (m, d) -> {
                    first.add(m.payload().userId() + "#" + d.attempt());
                    if (d.attempt() == 1) {
                        throw new IllegalStateException("once");
                    }
                }).withRetry(policy),
                Subscription.handling(UserCreated.class, "second_handler", (m, d) -> second.add(m.payload().userId() + "#"
                        + d.attempt())).withRetry(policy)));
        bus.admin().configure();
        bus.start();
        bus.publish(new UserCreated("u-1", "Ada"));

        Await.until("the first handler's retry handled", TIMEOUT, () -> first.contains("u-1#2"), first::toString);
        assertEquals(List.of("u-1#1", "u-1#2"), first);
        assertEquals(List.of("u-1#1"), second, "the retried copy reaches only the handler that failed");
        assertEquals(1, bus.admin().topology().queues().stream()
                .filter(q -> q.name().startsWith(Topology.delayExchange(broker.convention()))).count());
    }

    @Test
    void movingAHandlerFromItsRetryQueueToALadderAndBackLosesNoMessageWaitingForARetry(TestBroker broker) {
        List<String> seen = new CopyOnWriteArrayList<>();
        RetryPolicy fixed = RetryPolicy.of(5, Duration.ofMillis(2500));
        RetryPolicy ladder = RetryPolicy.ladder(5, Duration.ofMillis(6000)); // b still waits when that bus stops
        String queue = queue(broker, "migrating");

        // 1. fixed: a's first attempt fails, its copy waits in retry.<queue>; the service stops meanwhile
        RabbitMqEventBus fixedBus = broker.bus(b -> b.subscribe(migrating(seen, "a", fixed)));
        fixedBus.admin().configure();
        fixedBus.start();
        fixedBus.publish(new UserCreated("a", "Ada"));
        Await.awaitQueueDepth(broker, broker.convention().retryQueue(queue), 1, TIMEOUT);
        fixedBus.stop();

        // 2. the next version runs a ladder: no conflict, a returns from the old retry queue; b fails and waits in a delay queue
        RabbitMqEventBus ladderBus = broker.bus(b -> b.subscribe(migrating(seen, "b", ladder)));
        ladderBus.admin().configure();
        ladderBus.start();
        ladderBus.publish(new UserCreated("b", "Bob"));
        Await.awaitQueueDepth(broker, Topology.delayQueue(broker.convention(), 6000), 1, TIMEOUT);
        Await.until("a handled after the move to a ladder", TIMEOUT, () -> seen.contains("a#2"), seen::toString);
        ladderBus.stop();
        assertEquals(List.of("a#1", "a#2", "b#1"), seen.stream().sorted().toList(), "b is still waiting");

        // 3. and back to the fixed retry queue (its TTL unchanged): b returns from the delay queue
        RabbitMqEventBus backBus = broker.bus(b -> b.subscribe(migrating(seen, "none", fixed)));
        backBus.admin().configure();
        backBus.start();
        Await.until("b handled after the move back", TIMEOUT, () -> seen.contains("b#2"), seen::toString);

        assertEquals(List.of("a#1", "a#2", "b#1", "b#2"), seen.stream().sorted().toList());
        assertEquals(0, backBus.admin().deadLetters().count(queue), "dead letters");
    }

    /** Fails the first attempt of the message with user id {@code failing}, handles everything else. */
    private static Subscription migrating(List<String> seen, String failing, RetryPolicy policy) {
        return Subscription.handling(UserCreated.class, "migrating", (m, d) -> {
            seen.add(m.payload().userId() + "#" + d.attempt());
            if (m.payload().userId().equals(failing) && d.attempt() == 1) {
                throw new IllegalStateException("first attempt of " + failing + " fails");
            }
        }).withRetry(policy);
    }

    @Test
    void busWideClassificationAndTheSubscriptionsBothDecideWhatIsRetried(TestBroker broker) {
        List<String> seen = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.retryPolicy(RetryPolicy.ladder(3, Duration.ofMillis(100)))
                .failureClassification(FailureClassification.retryingAll().ignore(IllegalArgumentException.class))
                .subscribe(Subscription.handling(UserCreated.class, "classified", (m, d) -> {
                    seen.add(m.payload().userId() + "#" + d.attempt());
                    switch (m.payload().userId()) {
                        case "bus-ignores" -> throw new IllegalArgumentException("the bus ignores it");
                        case "subscription-ignores" -> throw new UnsupportedOperationException("the subscription ignores it");
                        default -> {
                            if (d.attempt() == 1) {
                                throw new IllegalStateException("retried by both");
                            }
                        }
                    }
                }).withFailureClassification(FailureClassification.retryingAll().ignore(UnsupportedOperationException.class))));
        bus.admin().configure();
        bus.start();
        bus.publish(new UserCreated("bus-ignores", "A"));
        bus.publish(new UserCreated("subscription-ignores", "B"));
        bus.publish(new UserCreated("retried", "C"));

        String queue = queue(broker, "classified");
        Await.until("two dead letters and one retried message", TIMEOUT,
                () -> bus.admin().deadLetters().count(queue) == 2 && seen.contains("retried#2"), seen::toString);
        for (DeadLetter letter : bus.admin().deadLetters().peek(queue, 10)) {
            assertEquals(DeadLetterReason.NON_RETRYABLE, letter.reason(), letter.toString());
            assertEquals(1, letter.attempts(), letter.toString());
        }
        assertFalse(seen.contains("bus-ignores#2") || seen.contains("subscription-ignores#2"), seen.toString());
    }

    private static String queue(TestBroker broker, String handler) {
        return broker.convention().handlerQueue(MessageType.of(UserCreated.class), handler);
    }

    private static Map<String, Object> rawDeadLetterHeaders(TestBroker broker, String queue) throws Exception {
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            GetResponse response = channel.basicGet(broker.convention().deadLetterQueue(queue), false);
            assertNotNull(response, "a dead letter in " + broker.convention().deadLetterQueue(queue));
            return new HashMap<>(response.getProps().getHeaders());
        }
    }
}
