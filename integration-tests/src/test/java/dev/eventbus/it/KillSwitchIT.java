package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.KillSwitch;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The kill switch on the broker with several handler threads and a prefetch: an outage suspends the handler, the
 * messages wait in its queue (none dead-lettered, though each would have used up its one retry), and it consumes again
 * half-open after the cool-down, tripping again while the outage lasts.
 */
@RabbitMqTest
class KillSwitchIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void anOutageSuspendsTheHandlerUntilItEndsAndDeadLettersNothing(TestBroker broker) {
        AtomicBoolean down = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        Set<String> handled = ConcurrentHashMap.newKeySet();
        RabbitMqEventBus bus = broker.bus(b -> b.consumerThreads(4).prefetch(10)
                .subscribe(Subscription.of(UserCreated.class, "mailer", m -> {
                    if (down.get()) {
                        failures.incrementAndGet();
                        throw new IllegalStateException("mail server down");
                    }
                    handled.add(m.payload().userId());
                }).withRetry(RetryPolicy.ladder(1, Duration.ofMillis(100)))
                        .withKillSwitch(new KillSwitch(0.5, 10, 5, Duration.ofMillis(700)))));
        bus.admin().configure();
        bus.start();
        String queue = broker.convention().handlerQueue(MessageType.of(UserCreated.class), "mailer");
        for (int i = 0; i < 40; i++) {
            bus.publish(new UserCreated("u-" + i, "User " + i));
        }

        HandlerStatus suspended = Await.untilValue("the handler suspended", TIMEOUT, () -> bus.health().handlers().get(0),
                status -> status.state() == HandlerStatus.State.SUSPENDED);
        assertTrue(String.valueOf(suspended.detail()).contains("kill switch tripped"), suspended.detail());
        int failuresAtTrip = failures.get();
        // still down: after each cool-down the half-open attempt fails and it trips again
        Await.until("consuming again, half-open, after the cool-down", TIMEOUT,
                () -> failures.get() > failuresAtTrip, () -> failures.get() + " failures");
        Await.untilValue("suspended again", TIMEOUT, () -> bus.health().handlers().get(0),
                status -> status.state() == HandlerStatus.State.SUSPENDED);
        assertTrue(handled.isEmpty(), "nothing handled during the outage: " + handled);

        down.set(false);
        Await.until("all 40 handled once the outage ends", TIMEOUT, () -> handled.size() == 40,
                () -> handled.size() + " handled, " + failures.get() + " failures");
        assertEquals(0, bus.admin().deadLetters().count(queue), "dead letters after " + failures.get() + " failed attempts "
                + "with one retry each allowed");
        Await.until("consuming", TIMEOUT, () -> bus.health().handlers().get(0).state() == HandlerStatus.State.CONSUMING,
                () -> bus.health().handlers().toString());
        assertTrue(bus.health().healthy(), bus.health().problems().toString());
    }

    @Test
    void aLongOutageOnQuorumQueuesDoesNotRunMessagesIntoTheDeliveryLimit(TestBroker broker) {
        AtomicBoolean down = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        Set<String> handled = ConcurrentHashMap.newKeySet();
        RabbitMqEventBus bus = broker.bus(b -> b.queueType(QueueType.QUORUM).quorumDeliveryLimit(2).consumerThreads(2).prefetch(5)
                .subscribe(Subscription.of(UserCreated.class, "quorum_mailer", m -> {
                    if (down.get()) {
                        failures.incrementAndGet();
                        throw new IllegalStateException("mail server down");
                    }
                    handled.add(m.payload().userId());
                }).withRetry(RetryPolicy.ladder(1, Duration.ofMillis(100)))
                        .withKillSwitch(new KillSwitch(0.5, 4, 2, Duration.ofMillis(200)))));
        bus.admin().configure();
        bus.start();
        for (int i = 0; i < 10; i++) {
            bus.publish(new UserCreated("u-" + i, "User " + i));
        }
        // many cool-downs, each ending in a failed half-open attempt: far more returns than the delivery limit of 2
        Await.until("an outage of many cool-downs", TIMEOUT, () -> failures.get() >= 30, () -> failures.get() + " failures");
        down.set(false);

        Await.until("all 10 handled once the outage ends", TIMEOUT, () -> handled.size() == 10,
                () -> handled.size() + " handled, " + failures.get() + " failures");
        String queue = broker.convention().handlerQueue(MessageType.of(UserCreated.class), "quorum_mailer");
        assertEquals(0, bus.admin().deadLetters().count(queue), "dead letters (the broker's delivery_limit ones included) after "
                + failures.get() + " failed attempts");
    }
}
