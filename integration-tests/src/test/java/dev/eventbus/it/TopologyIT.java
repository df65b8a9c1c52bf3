package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Convention;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.SendWelcomeMail;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.TopologyConflictException;
import dev.eventbus.testkit.RabbitMqCtl;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@RabbitMqTest
class TopologyIT {

    private static Subscription sendMail() {
        return Subscription.of(UserCreated.class, "send_mail_handler", message -> { });
    }

    @Test
    void declaredTopologyIsWhatThePlanSaysReadBackFromTheBroker(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(sendMail(),
                Subscription.of(SendWelcomeMail.class, "mailer", message -> { })));
        bus.admin().configure();
        Topology plan = bus.admin().topology();
        Convention names = broker.convention();
        String queue = names.handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");

        Map<String, Map<String, Object>> declaredQueues = queuesOf(broker);
        Map<String, Map<String, Object>> plannedQueues = new TreeMap<>();
        plan.queues().forEach(q -> plannedQueues.put(q.name(), normalize(q.arguments())));
        assertEquals(plannedQueues, declaredQueues, "queues and their arguments on the broker");
        assertEquals(Map.of("x-dead-letter-exchange", names.deadLetterExchange(),
                        "x-dead-letter-routing-key", "dead_letter." + queue, "x-message-ttl", 5000L),
                declaredQueues.get(queue), "handler queue arguments: petisco's, with its 5 s TTL, by default");
        assertEquals(Map.of("x-message-ttl", 5000L, "x-dead-letter-exchange", names.mainExchange(),
                "x-dead-letter-routing-key", "retry." + queue), declaredQueues.get("retry." + queue), "retry queue arguments");
        assertEquals(Map.of(), declaredQueues.get("dead_letter." + queue), "dead-letter queue arguments");

        Set<String> exchanges = broker.ctl().listExchanges().stream()
                .filter(e -> e.name().contains(broker.organization()))
                .map(e -> e.name() + " " + e.type() + " durable=" + e.durable())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of(names.mainExchange() + " topic durable=true",
                names.retryExchange() + " topic durable=true", names.deadLetterExchange() + " topic durable=true")), exchanges);

        Set<String> planned = plan.bindings().stream().map(b -> b.exchange() + " -> " + b.queue() + " [" + b.routingKey() + "]")
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(planned, bindingsOf(broker), "bindings on the broker");
        assertTrue(planned.contains(names.mainExchange() + " -> " + queue + " [" + names.routingKey(MessageType.of(UserCreated.class)) + "]"));
        assertTrue(planned.contains(names.mainExchange() + " -> " + queue + " [retry." + queue + "]"));
        assertTrue(planned.contains(names.retryExchange() + " -> retry." + queue + " [retry." + queue + "]"));
        assertTrue(planned.contains(names.deadLetterExchange() + " -> dead_letter." + queue + " [dead_letter." + queue + "]"));
    }

    @Test
    void anEndpointQueueIsDeclaredAsThePlanSaysWithABindingPerType(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of("orders_view",
                (dev.eventbus.core.Message<dev.eventbus.core.Event> message) -> { }, UserCreated.class,
                Events.OrderPlaced.class).endpointQueue()));
        bus.admin().configure();
        Topology plan = bus.admin().topology();
        Convention names = broker.convention();
        String queue = names.endpointQueue("orders_view");

        Map<String, Map<String, Object>> plannedQueues = new TreeMap<>();
        plan.queues().forEach(q -> plannedQueues.put(q.name(), normalize(q.arguments())));
        assertEquals(plannedQueues, queuesOf(broker), "queues and their arguments on the broker");
        assertEquals(Set.of(queue, "retry." + queue, "dead_letter." + queue), plannedQueues.keySet());
        Set<String> planned = plan.bindings().stream().map(b -> b.exchange() + " -> " + b.queue() + " [" + b.routingKey() + "]")
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(planned, bindingsOf(broker), "bindings on the broker");
        assertTrue(planned.containsAll(Set.of(
                names.mainExchange() + " -> " + queue + " [" + names.routingKey(MessageType.of(UserCreated.class)) + "]",
                names.mainExchange() + " -> " + queue + " [" + names.routingKey(MessageType.of(Events.OrderPlaced.class)) + "]",
                names.mainExchange() + " -> " + queue + " [retry." + queue + "]")), planned.toString());
    }

    @Test
    void declaringTwiceChangesNothing(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(sendMail()));
        bus.admin().configure();
        Map<String, Map<String, Object>> queues = queuesOf(broker);
        Set<String> bindings = bindingsOf(broker);
        bus.admin().configure();
        assertEquals(queues, queuesOf(broker));
        assertEquals(bindings, bindingsOf(broker));
        assertEquals(3, queues.size(), "handler, retry and dead-letter queue: " + queues.keySet());
    }

    @Test
    void aQueueDeclaredWithOtherArgumentsFailsNamingTheQueueAndTheArgument(TestBroker broker) {
        broker.bus(b -> b.subscribe(sendMail())).admin().configure();
        RabbitMqEventBus other = broker.bus(b -> b.subscribe(sendMail().withRetry(RetryPolicy.of(3, Duration.ofMillis(6000)))));

        TopologyConflictException conflict = assertThrows(TopologyConflictException.class, () -> other.admin().configure());

        String queue = broker.convention().handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");
        assertEquals("retry." + queue, conflict.name());
        assertEquals("x-message-ttl", conflict.argument());
        assertTrue(conflict.getMessage().contains("retry." + queue) && conflict.getMessage().contains("x-message-ttl"),
                conflict.getMessage());
    }

    @Test
    void clearRemovesWhatConfigureDeclaredButNeverTheSharedStore(TestBroker sharedBroker) {
        TestBroker broker = sharedBroker.withOwnVirtualHost();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(sendMail()).declareStore(true));
        bus.admin().configure();
        assertEquals(3, queuesOf(broker).size());

        bus.admin().clear();

        assertEquals(Map.of(), queuesOf(broker), "queues left after clear");
        assertTrue(broker.ctl().listExchanges().stream().noneMatch(e -> e.name().equals(broker.convention().mainExchange())),
                "main exchange deleted");
        Set<String> remaining = broker.ctl().listQueues().stream().map(RabbitMqCtl.QueueInfo::name).collect(Collectors.toSet());
        assertTrue(remaining.containsAll(Set.of("store", "retry.store", "dead_letter.store")), "store queues kept: " + remaining);
    }

    @Test
    void quorumQueuesAreDeclaredWithAnExplicitDeliveryLimit(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(sendMail()).queueType(QueueType.QUORUM).quorumDeliveryLimit(7));
        bus.admin().configure();
        String queue = broker.convention().handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");
        Map<String, Map<String, Object>> queues = queuesOf(broker);
        assertEquals("quorum", queues.get(queue).get("x-queue-type"));
        assertEquals(7L, queues.get(queue).get("x-delivery-limit"));
        assertEquals("quorum", queues.get("retry." + queue).get("x-queue-type"));
        assertFalse(queues.get("retry." + queue).containsKey("x-delivery-limit"));
        assertEquals("at-least-once", queues.get("retry." + queue).get("x-dead-letter-strategy"));
        assertEquals("reject-publish", queues.get("retry." + queue).get("x-overflow"));
    }

    private static Map<String, Map<String, Object>> queuesOf(TestBroker broker) {
        Map<String, Map<String, Object>> queues = new TreeMap<>();
        broker.ctl().listQueues().stream().filter(q -> q.name().contains(broker.organization()))
                .forEach(q -> queues.put(q.name(), normalize(q.arguments())));
        return queues;
    }

    private static Set<String> bindingsOf(TestBroker broker) {
        return broker.ctl().listBindings().stream()
                .filter(b -> b.source().contains(broker.organization()) && b.destination().contains(broker.organization()))
                .map(b -> b.source() + " -> " + b.destination() + " [" + b.routingKey() + "]")
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** rabbitmqctl prints numbers as JSON; compare them as longs. */
    private static Map<String, Object> normalize(Map<String, Object> arguments) {
        Map<String, Object> normalized = new TreeMap<>();
        arguments.forEach((key, value) -> normalized.put(key, value instanceof Number n ? (Object) n.longValue() : value.toString()));
        return normalized;
    }
}
