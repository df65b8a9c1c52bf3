package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import dev.eventbus.core.Convention;
import dev.eventbus.core.Event;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.RoutingKey;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.Faults;
import dev.eventbus.testkit.RabbitMqCtl;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Seed 003's shapes on the broker: what a live subscription's queue is (non-durable, exclusive to its instance's
 * consumer connection, auto-deleted, no retry or dead-letter queue unless it has a retry policy of its own, declared
 * again after a connection recovery), and
 * an event class's declared routing key as the broker binds and routes it. The behaviour both buses share is in the
 * contract suite (testkit {@code EventBusContract}).
 */
@RabbitMqTest
class LiveSubscriptionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RoutingKey("stega.returns_updated")
    record ReturnsUpdated(String portfolioId) implements Event {
    }

    @Test
    void aLiveQueueIsNonDurableExclusiveAutoDeletedAndHasNoRetryOrDeadLetterQueue(TestBroker broker) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        Subscription live = Subscription.of(OrderPlaced.class, "watch", m -> received.add(m.payload().orderId())).live("pod_1");
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(live));
        bus.admin().configure();
        String queue = broker.convention().liveQueue(broker.convention().handlerQueue(MessageType.of(OrderPlaced.class), "watch"),
                "pod_1");
        assertFalse(queueNames(broker).contains(queue), "configure() declares no live queue: " + queueNames(broker));

        bus.start();

        RabbitMqCtl.QueueInfo info = queueInfo(broker, queue).orElseThrow(() -> new AssertionError("no queue " + queue));
        assertFalse(info.durable(), "a live queue is not durable");
        assertEquals(java.util.Map.of(), info.arguments(), "no TTL, no dead-letter exchange, no queue type");
        assertEquals(1, info.consumers());
        assertTrue(queueNames(broker).stream().noneMatch(name -> name.startsWith("retry.") && name.contains(".live.")
                || name.startsWith("dead_letter.") && name.contains(".live.")), "no retry or dead-letter queue of a live queue: "
                + queueNames(broker));
        assertTrue(broker.ctl().listBindings().stream().anyMatch(binding -> binding.destination().equals(queue)
                        && binding.source().equals(broker.convention().mainExchange())
                        && binding.routingKey().equals(broker.convention().routingKey(MessageType.of(OrderPlaced.class)))),
                "bound to the service's exchange with the event's key");
        try (Connection other = broker.newConnection()) {
            Channel channel = other.createChannel(); // closed by the refusal
            IOException locked = assertThrows(IOException.class, () -> channel.queueDeclarePassive(queue));
            assertTrue(String.valueOf(locked.getCause()).contains("RESOURCE_LOCKED"), "exclusive to the bus's connection: " + locked.getCause());
        }
        bus.publish(new OrderPlaced("o-1", 1));
        Await.received("watch", 1, received, TIMEOUT);

        bus.pause("watch"); // its only consumer cancelled: the broker deletes the auto-delete queue
        Await.until("the live queue deleted with its consumer", TIMEOUT, () -> queueInfo(broker, queue).isEmpty(),
                () -> queueNames(broker).toString());
        assertThrows(dev.eventbus.rabbitmq.UnroutableMessageException.class, () -> bus.publish(new OrderPlaced("o-2", 2)),
                "no live queue while the handler is paused: nothing receives what is published meanwhile");
        bus.resume("watch");
        bus.publish(new OrderPlaced("o-3", 3));
        Await.received("watch", 2, received, TIMEOUT);
        assertEquals(List.of("o-1", "o-3"), received, "nothing published while it was not consuming");

        bus.stop();
        assertTrue(queueInfo(broker, queue).isEmpty(), "gone with its instance: " + queueNames(broker));
    }

    @Test
    void aLiveQueueWithRetriesHasAnExclusiveRetryQueueOfItsDelayAndADurableDeadLetterQueueThatOutlivesIt(TestBroker broker)
            throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Subscription live = Subscription.handling(OrderPlaced.class, "watch", (m, delivery) -> {
            attempts.add(delivery.attempt());
            throw new IllegalStateException("always fails");
        }).live("pod_1").withRetry(RetryPolicy.of(2, Duration.ofMillis(200)));
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(live));
        Convention convention = broker.convention();
        String queue = convention.liveQueue(convention.handlerQueue(MessageType.of(OrderPlaced.class), "watch"), "pod_1");
        String retryQueue = convention.retryQueue(queue);
        String deadLetterQueue = convention.deadLetterQueue(queue);
        bus.admin().configure();
        assertTrue(queueInfo(broker, deadLetterQueue).orElseThrow(() -> new AssertionError("configure() declares "
                + deadLetterQueue + ": " + queueNames(broker))).durable(), "the dead-letter queue is durable");
        assertFalse(queueNames(broker).contains(queue) || queueNames(broker).contains(retryQueue),
                "configure() declares neither the live queue nor its retry queue: " + queueNames(broker));

        bus.start();

        RabbitMqCtl.QueueInfo liveInfo = queueInfo(broker, queue).orElseThrow(() -> new AssertionError("no queue " + queue));
        assertFalse(liveInfo.durable(), "a live queue is not durable");
        assertEquals(java.util.Map.of(Topology.DEAD_LETTER_EXCHANGE, convention.deadLetterExchange(),
                Topology.DEAD_LETTER_ROUTING_KEY, convention.deadLetterRoutingKey(queue)), stringValues(liveInfo.arguments()),
                "a rejected message goes to the live queue's dead-letter queue");
        RabbitMqCtl.QueueInfo retryInfo = queueInfo(broker, retryQueue).orElseThrow(() -> new AssertionError("no queue "
                + retryQueue + ": " + queueNames(broker)));
        assertFalse(retryInfo.durable(), "the retry queue of a live queue is not durable");
        assertEquals(java.util.Map.of(Topology.MESSAGE_TTL, "200", Topology.DEAD_LETTER_EXCHANGE, convention.mainExchange(),
                Topology.DEAD_LETTER_ROUTING_KEY, convention.retryRoutingKey(queue)), stringValues(retryInfo.arguments()),
                "the policy's delay, then back to the live queue only");
        for (String exclusive : List.of(queue, retryQueue)) {
            try (Connection other = broker.newConnection()) {
                Channel channel = other.createChannel(); // closed by the refusal
                IOException locked = assertThrows(IOException.class, () -> channel.queueDeclarePassive(exclusive));
                assertTrue(String.valueOf(locked.getCause()).contains("RESOURCE_LOCKED"),
                        exclusive + " is exclusive to the bus's connection: " + locked.getCause());
            }
        }
        assertTrue(broker.ctl().listBindings().stream().anyMatch(binding -> binding.destination().equals(retryQueue)
                && binding.source().equals(convention.retryExchange())
                && binding.routingKey().equals(convention.retryRoutingKey(queue))), "the retry queue on the retry exchange");
        assertTrue(broker.ctl().listBindings().stream().anyMatch(binding -> binding.destination().equals(queue)
                && binding.source().equals(convention.mainExchange())
                && binding.routingKey().equals(convention.retryRoutingKey(queue))), "the live queue takes its retries back");

        // the consumer connection recovers: the live queue and its retry queue are declared again with it
        Faults.closeBusConnectionsAndAwaitRecovery(broker, bus, TIMEOUT);
        Await.until("the live and retry queues declared again", TIMEOUT, () -> queueNames(broker).containsAll(
                List.of(queue, retryQueue)) && queueInfo(broker, queue).orElseThrow().consumers() == 1,
                () -> queueNames(broker).toString());

        bus.publish(new OrderPlaced("o-1", 1));
        List<dev.eventbus.core.DeadLetter> letters = Await.untilValue("a dead letter of " + queue, TIMEOUT,
                () -> bus.admin().deadLetters().peek(queue, 10), seen -> !seen.isEmpty());
        assertEquals(List.of(1, 2, 3), attempts, "two retries through the retry queue, then dead-lettered");
        assertEquals(3, letters.get(0).attempts());

        bus.stop();
        assertTrue(queueInfo(broker, queue).isEmpty() && queueInfo(broker, retryQueue).isEmpty(),
                "the live and retry queues are gone with the instance: " + queueNames(broker));
        Await.until("the dead letter kept in " + deadLetterQueue + " after the instance stopped", TIMEOUT,
                () -> queueInfo(broker, deadLetterQueue).map(RabbitMqCtl.QueueInfo::messages).orElse(0L) == 1,
                () -> String.valueOf(queueInfo(broker, deadLetterQueue)));
    }

    private static java.util.Map<String, String> stringValues(java.util.Map<String, Object> arguments) {
        java.util.Map<String, String> values = new java.util.TreeMap<>();
        arguments.forEach((key, value) -> values.put(key, String.valueOf(value)));
        return values;
    }

    @Test
    void eachInstanceHasItsOwnLiveQueueWhichARecoveredConnectionDeclaresAgain(TestBroker broker) throws Exception {
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        RabbitMqEventBus one = broker.bus(b -> b.subscribe(Subscription.of(OrderPlaced.class, "watch",
                m -> first.add(m.payload().orderId())).live()));
        RabbitMqEventBus two = broker.bus(b -> b.subscribe(Subscription.of(OrderPlaced.class, "watch",
                m -> second.add(m.payload().orderId())).live()));
        one.admin().configure();
        one.start();
        two.start();

        one.publish(new OrderPlaced("o-1", 1));
        Await.received("watch of instance one", 1, first, TIMEOUT);
        Await.received("watch of instance two", 1, second, TIMEOUT);
        assertEquals(2, queueNames(broker).stream().filter(name -> name.contains(".watch.live.")).count(),
                "a queue per instance: " + queueNames(broker));

        assertEquals(2, Faults.closeBusConnectionsAndAwaitRecovery(broker, one, TIMEOUT), "publisher and consumer connection");
        Await.until("instance one's live queue declared again with its consumer", TIMEOUT, () -> queueNames(broker).stream()
                .filter(name -> name.contains(".watch.live.")).count() == 2, () -> queueNames(broker).toString());
        one.publish(new OrderPlaced("o-2", 2));
        Await.received("watch of instance one after the recovery", 2, first, TIMEOUT);
        Await.received("watch of instance two", 2, second, TIMEOUT);
        assertEquals(List.of("o-1", "o-2"), first);
    }

    @Test
    void aDeclaredRoutingKeyIsTheBindingOnTheBrokerAndRoutesARawPublish(TestBroker broker) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(ReturnsUpdated.class, "refresh_view",
                m -> received.add(m.payload().portfolioId()))));
        bus.admin().configure();
        String queue = broker.convention().handlerQueue(MessageType.of(ReturnsUpdated.class), "refresh_view");
        assertEquals(broker.convention().mainExchange() + ".stega.returns_updated.refresh_view", queue);
        assertTrue(broker.ctl().listBindings().stream().anyMatch(binding -> binding.destination().equals(queue)
                && binding.source().equals(broker.convention().mainExchange())
                && binding.routingKey().equals("stega.returns_updated")), "bound with the declared key");
        bus.start();

        bus.publish(new ReturnsUpdated("p-1"));
        try (Connection raw = broker.newConnection(); Channel channel = raw.createChannel()) {
            // as seed 003's pika publisher does: the declared key, the body petisco's
            String body = "{\"data\":{\"id\":\"" + java.util.UUID.randomUUID() + "\",\"type\":\"returns.updated\",\"type_message\":\"domain_event\",\"version\":1,"
                    + "\"occurred_on\":\"2024-01-01 00:00:00.000000\",\"attributes\":{\"portfolio_id\":\"p-2\"},\"meta\":{}}}";
            channel.basicPublish(broker.convention().mainExchange(), "stega.returns_updated", MessageProperties.PERSISTENT_TEXT_PLAIN,
                    body.getBytes(StandardCharsets.UTF_8));
        }

        Await.received("refresh_view", 2, received, TIMEOUT);
        assertEquals(List.of("p-1", "p-2"), received.stream().sorted().toList());
    }

    private static List<String> queueNames(TestBroker broker) {
        return broker.ctl().listQueues().stream().map(RabbitMqCtl.QueueInfo::name).filter(name -> name.contains(broker.organization()))
                .toList();
    }

    private static Optional<RabbitMqCtl.QueueInfo> queueInfo(TestBroker broker, String queue) {
        return broker.ctl().listQueues().stream().filter(info -> info.name().equals(queue)).findFirst();
    }
}
