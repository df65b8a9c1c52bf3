package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A retry that must be republished while a memory alarm blocks publishing waits, unacknowledged, off the handler thread,
 * and goes out when the alarm clears: a message with retries left is never dead-lettered because the broker blocks
 * publishers. Raises a broker-wide alarm, so it restores the watermark whatever happens.
 */
@RabbitMqTest
class AlarmRetryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aRetryDuringAMemoryAlarmWaitsForItWithoutHoldingTheHandlerThreadOrDeadLettering(TestBroker broker) throws Exception {
        CountDownLatch failNow = new CountDownLatch(1);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        List<String> others = new CopyOnWriteArrayList<>();
        Duration publishTimeout = Duration.ofSeconds(20);
        RabbitMqEventBus bus = broker.bus(b -> b.consumerThreads(1).publishTimeout(publishTimeout)
                .retryPolicy(dev.eventbus.core.RetryPolicy.of(3, Duration.ofMillis(100)))
                .subscribe(Subscription.handling(UserCreated.class, "flaky", (message, delivery) -> {
                    attempts.add(delivery.attempt());
                    if (delivery.attempt() == 1) {
                        failNow.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        throw new IllegalStateException("the first attempt fails during the alarm");
                    }
                }), Subscription.of(OrderPlaced.class, "other", message -> others.add(message.payload().orderId()))));
        bus.admin().configure();
        bus.start();
        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new OrderPlaced("o-1", 1)); // waits: the one handler thread is busy with u-1
        Await.until("the first attempt running", TIMEOUT, () -> attempts.size() == 1, attempts::toString);
        try {
            broker.ctl().setMemoryHighWatermark(0.0000001);
            // the broker tells a connection it is blocked when it next publishes
            bus.publishAsync(Message.of(new OrderPlaced("o-trigger", 2)));
            Thread.sleep(1000); // setup, not an assertion: let connection.blocked arrive
            long failedAt = System.nanoTime();
            failNow.countDown();
            Await.until("the other handler running during the alarm", TIMEOUT, () -> others.contains("o-1"), others::toString);
            long freedAfter = Duration.ofNanos(System.nanoTime() - failedAt).toMillis();
            assertTrue(freedAfter < publishTimeout.toMillis() / 2, "the handler thread was held " + freedAfter
                    + " ms by a retry the alarm blocked (publish timeout " + publishTimeout.toMillis() + " ms)");
            assertEquals(List.of(1), attempts, "no second attempt while the retry cannot be republished");
        } finally {
            broker.ctl().setMemoryHighWatermark(0.4);
        }
        Await.until("the retry handled after the alarm", TIMEOUT, () -> attempts.equals(List.of(1, 2)), attempts::toString);
        String queue = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "flaky");
        assertEquals(0, bus.admin().deadLetters().count(queue), "a message with retries left is never dead-lettered for an alarm");
    }
}
