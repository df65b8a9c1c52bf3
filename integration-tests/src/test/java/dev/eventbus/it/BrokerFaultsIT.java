package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.EventBusException;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.Faults;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Faults of the whole broker while events stream through a bus: every connection closed by the broker (twice),
 * the broker application restarted, a memory alarm. They affect every client of the broker, so each restores it
 * in a finally block. The event count is {@code -Deventbus.reliability.events} (default 20000 in CI; the long
 * form is 100000).
 */
@RabbitMqTest
class BrokerFaultsIT {

    private static final int EVENTS = Integer.getInteger("eventbus.reliability.events", 20_000);
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final int MAX_IN_FLIGHT = 100;
    private static final int PREFETCH = 100;

    private static RabbitMqEventBus streamingBus(TestBroker broker, Tally tally) {
        RabbitMqEventBus bus = broker.bus(b -> b.maxInFlight(MAX_IN_FLIGHT).prefetch(PREFETCH).consumerThreads(2)
                .subscribe(Subscription.of(OrderPlaced.class, "tally", message -> tally.handled(message.payload().orderId()))));
        bus.admin().configure();
        bus.start();
        return bus;
    }

    @Test
    void everyConnectionClosedByTheBrokerTwiceLosesNothing(TestBroker broker) throws Exception {
        Tally tally = new Tally("all connections closed twice");
        RabbitMqEventBus bus = streamingBus(broker, tally);
        CompletableFuture<Void> publishing = Load.publish(bus, tally, "c", EVENTS, 4);

        for (int cut = 1; cut <= 2; cut++) {
            int before = tally.confirmedCount();
            Await.until("publishing under way before cut " + cut, TIMEOUT,
                    () -> tally.confirmedCount() >= before + EVENTS / 4 || publishing.isDone(), tally::line);
            int closed = Faults.closeAllConnections(broker);
            assertTrue(closed >= 2, "the bus's publisher and consumer connections were closed, closed " + closed);
        }
        publishing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        Await.until("every confirmed event handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
        Await.until("the consumers recovered", TIMEOUT, () -> bus.health().handlers().stream().allMatch(HandlerStatus::healthy),
                () -> bus.health().toString());
        tally.report(2 * (MAX_IN_FLIGHT + PREFETCH));
    }

    @Test
    void theBrokerApplicationRestartedMidStreamLosesNothing(TestBroker broker) throws Exception {
        Tally tally = new Tally("broker stop_app / start_app");
        RabbitMqEventBus bus = streamingBus(broker, tally);
        CompletableFuture<Void> publishing = Load.publish(bus, tally, "r", EVENTS, 4);
        Await.until("publishing under way", TIMEOUT, () -> tally.confirmedCount() >= EVENTS / 3, tally::line);

        try {
            broker.ctl().stopApp();
        } finally {
            broker.ctl().startApp();
        }
        publishing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        Await.until("every confirmed event handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
        tally.report(MAX_IN_FLIGHT + PREFETCH);
    }

    @Test
    void aMemoryAlarmBlocksPublishingWithAClearErrorAndPublishingResumesAfterIt(TestBroker broker) throws Exception {
        Tally tally = new Tally("memory alarm");
        RabbitMqEventBus bus = broker.bus(b -> b.publishTimeout(Duration.ofSeconds(3))
                .subscribe(Subscription.of(OrderPlaced.class, "tally", message -> tally.handled(message.payload().orderId()))));
        bus.admin().configure();
        bus.start();
        Load.publish(bus, tally, "before", 500, 2).get(60, TimeUnit.SECONDS);

        List<String> errors = new CopyOnWriteArrayList<>();
        try {
            broker.ctl().setMemoryHighWatermark(0.0000001);
            for (int i = 0; i < 3; i++) {
                tally.published();
                try {
                    bus.publish(new OrderPlaced("during-" + i, i));
                    tally.confirmed("during-" + i);
                } catch (EventBusException e) {
                    tally.publishFailed();
                    errors.add(e.getMessage());
                }
            }
        } finally {
            broker.ctl().setMemoryHighWatermark(0.4);
        }
        assertTrue(!errors.isEmpty() && errors.stream().allMatch(message -> message.contains("blocked")),
                "publishing during the alarm fails after the timeout, naming the block: " + errors);

        Load.publish(bus, tally, "after", 500, 2).get(60, TimeUnit.SECONDS);
        Await.until("every confirmed event handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
        tally.report(0);
    }
}
