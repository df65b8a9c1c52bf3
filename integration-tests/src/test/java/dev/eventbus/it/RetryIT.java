package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.Headers;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@RabbitMqTest
class RetryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void aHandlerFailingTwiceIsHandledOnceAfterTwoRetriesEachAfterAboutTheTtl(TestBroker broker) {
        long ttl = 400;
        List<Long> attempts = new CopyOnWriteArrayList<>();
        AtomicInteger handled = new AtomicInteger();
        RabbitMqEventBus bus = broker.bus(b -> b.retryPolicy(RetryPolicy.of(4, Duration.ofMillis(ttl)))
                .subscribe(Subscription.of(UserCreated.class, "flaky", message -> {
                    attempts.add(System.nanoTime());
                    if (attempts.size() <= 2) {
                        throw new IllegalStateException("failure " + attempts.size());
                    }
                    handled.incrementAndGet();
                })));
        bus.admin().configure();
        bus.start();

        bus.publish(new UserCreated("u-1", "Rita"));

        Await.until("handled once", TIMEOUT, () -> handled.get() == 1, () -> attempts.size() + " attempts");
        String queue = queue(broker, "flaky");
        Await.awaitQueueDrained(broker, queue, TIMEOUT);
        assertEquals(3, attempts.size(), "attempts: the first and two retries");
        for (int i = 1; i < attempts.size(); i++) {
            long gap = TimeUnit.NANOSECONDS.toMillis(attempts.get(i) - attempts.get(i - 1));
            assertTrue(gap >= ttl * 9 / 10 && gap < ttl + 5000, "retry " + i + " came " + gap + " ms after the attempt before, TTL " + ttl);
        }
        assertEquals(1, handled.get());
        assertEquals(0, bus.admin().deadLetters().count(queue), "dead letters");
    }

    @Test
    void aHandlerThatAlwaysFailsEndsInItsDeadLettersAfterExactlyMaxRetriesWithTheReason(TestBroker broker) throws Exception {
        int maxRetries = 3;
        AtomicInteger attempts = new AtomicInteger();
        RabbitMqEventBus bus = broker.bus(b -> b.retryPolicy(RetryPolicy.of(maxRetries, Duration.ofMillis(100)))
                .subscribe(Subscription.of(UserCreated.class, "always_failing", message -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("mail server down for " + message.payload().name());
                })));
        bus.admin().configure();
        bus.start();
        Message<UserCreated> message = Message.of(new UserCreated("u-2", "Mallory"));

        bus.publish(message);

        String queue = queue(broker, "always_failing");
        Await.until("one dead letter", TIMEOUT, () -> bus.admin().deadLetters().count(queue) == 1, () -> attempts.get() + " attempts");
        assertEquals(maxRetries + 1, attempts.get(), "the handler runs once and then once per retry");

        DeadLetter letter = bus.admin().deadLetters().peek(queue, 10).get(0);
        assertEquals(DeadLetterReason.MAX_RETRIES_EXCEEDED, letter.reason());
        assertEquals(maxRetries + 1, letter.attempts());
        assertEquals("always_failing", letter.handler());
        assertEquals(queue, letter.queue());
        assertEquals(broker.convention().routingKey(message), letter.routingKey());
        assertEquals(IllegalStateException.class.getName(), letter.exceptionClass());
        assertEquals("mail server down for Mallory", letter.exceptionMessage());
        assertEquals(message, bus.codec().decode(letter.body()), "the dead letter's body is the message");

        Map<String, Object> headers = rawDeadLetterHeaders(broker, queue);
        assertEquals(maxRetries, Headers.retryCount(Map.of(Headers.RETRY_COUNT, headers.get(Headers.RETRY_COUNT))),
                "retry counter after " + maxRetries + " hops through the retry queue");
        assertEquals(maxRetries + 1, ((Number) headers.get(Headers.PETISCO_REDELIVERY_COUNT)).intValue(), "petisco's counter");
        assertFalse(headers.keySet().stream().anyMatch(key -> key.startsWith("x-death") || key.startsWith("x-first-death")
                || key.startsWith("x-last-death")), "broker death headers are stripped: " + headers.keySet());
        assertNotNull(headers.get(Headers.DEAD_LETTERED_AT));
    }

    @Test
    void handlersSeeTheirAttemptAndTheOriginalRoutingKeyThroughDeliveryCurrent(TestBroker broker) {
        List<dev.eventbus.core.Delivery> seen = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.retryPolicy(RetryPolicy.of(3, Duration.ofMillis(100)))
                .subscribe(Subscription.of(UserCreated.class, "attempts", message -> {
                    seen.add(dev.eventbus.core.Delivery.current().orElseThrow());
                    if (seen.size() < 3) {
                        throw new IllegalStateException("not yet");
                    }
                })));
        bus.admin().configure();
        bus.start();

        bus.publish(new UserCreated("u-1", "Alice"));

        Await.until("three attempts", TIMEOUT, () -> seen.size() == 3, seen::toString);
        assertEquals(List.of(1, 2, 3), seen.stream().map(dev.eventbus.core.Delivery::attempt).toList());
        String routingKey = broker.convention().routingKey(MessageType.of(UserCreated.class));
        assertTrue(seen.stream().allMatch(d -> d.routingKey().equals(routingKey) && !d.redelivered()
                && d.queue().equals(queue(broker, "attempts"))), seen.toString());
    }

    @Test
    void retriesAndDeadLettersWorkThroughQuorumQueues(TestBroker broker) {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        RabbitMqEventBus bus = broker.bus(b -> b.queueType(dev.eventbus.rabbitmq.QueueType.QUORUM)
                .retryPolicy(RetryPolicy.of(1, Duration.ofMillis(200)))
                .subscribe(Subscription.of(UserCreated.class, "quorum_flaky", message -> {
                    attempts.incrementAndGet();
                    if (message.payload().name().equals("never") || attempts.get() == 1) {
                        throw new IllegalStateException("fails");
                    }
                    handled.incrementAndGet();
                })));
        bus.admin().configure();
        bus.start();

        bus.publish(new UserCreated("u-1", "once"));
        Await.until("handled after one retry through the quorum retry queue", TIMEOUT, () -> handled.get() == 1,
                () -> attempts.get() + " attempts");
        bus.publish(new UserCreated("u-2", "never"));

        DeadLetter letter = Await.deadLetter(bus, queue(broker, "quorum_flaky"), DeadLetterReason.MAX_RETRIES_EXCEEDED, TIMEOUT);
        assertEquals(2, letter.attempts());
    }

    @Test
    void petiscosRedeliveryCountIsHonoured(TestBroker broker) throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        RabbitMqEventBus bus = broker.bus(b -> b.retryPolicy(RetryPolicy.of(3, Duration.ofMillis(100)))
                .subscribe(Subscription.of(UserCreated.class, "petisco_mixed", message -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("down");
                })));
        bus.admin().configure();
        bus.start();
        Message<UserCreated> message = Message.of(new UserCreated("u-3", "Pat"));
        AMQP.BasicProperties petiscoRetried = new AMQP.BasicProperties.Builder().deliveryMode(2)
                .headers(Map.of(Headers.PETISCO_REDELIVERY_COUNT, 2, Headers.PETISCO_QUEUE, queue(broker, "petisco_mixed")))
                .build();

        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.basicPublish(broker.convention().mainExchange(), broker.convention().routingKey(message), petiscoRetried,
                    bus.codec().encode(message));
        }

        String queue = queue(broker, "petisco_mixed");
        Await.until("one dead letter", TIMEOUT, () -> bus.admin().deadLetters().count(queue) == 1, () -> attempts.get() + " attempts");
        assertEquals(2, attempts.get(), "two retries were already used up by petisco: retry 3, then dead letter");
        assertEquals(4, bus.admin().deadLetters().peek(queue, 1).get(0).attempts());
    }

    private static String queue(TestBroker broker, String handler) {
        return broker.convention().handlerQueue(MessageType.of(UserCreated.class), handler);
    }

    private static Map<String, Object> rawDeadLetterHeaders(TestBroker broker, String queue) throws Exception {
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            GetResponse response = channel.basicGet(broker.convention().deadLetterQueue(queue), false);
            assertNotNull(response, "a dead letter in " + broker.convention().deadLetterQueue(queue));
            return new java.util.HashMap<>(response.getProps().getHeaders());
        }
    }

}
