package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.Convention;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs test classes that declare exchanges and queues, then checks that nothing of theirs is left. */
@RabbitMqTest
class CleanupIT {

    static final Map<String, String> organizations = new ConcurrentHashMap<>();

    private static RabbitMqCtl ctl;

    @BeforeAll
    static void ctl(TestBroker broker) {
        ctl = broker.ctl();
    }

    @Test
    void deletesEverythingEachTestDeclaredAfterIt() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(DeclaresThings.class)).execute()
                .testEvents().assertStatistics(stats -> stats.succeeded(2).failed(0));

        assertEquals(2, organizations.size(), "organizations: " + organizations);
        assertNotEquals(organizations.get("first"), organizations.get("second"));
        for (String organization : organizations.values()) {
            List<String> left = ctl.listQueues().stream().map(RabbitMqCtl.QueueInfo::name).filter(n -> n.contains(organization)).toList();
            List<String> leftExchanges = ctl.listExchanges().stream().map(RabbitMqCtl.ExchangeInfo::name)
                    .filter(n -> n.contains(organization)).toList();
            assertEquals(List.of(), left, "queues of " + organization + " left after the test");
            assertEquals(List.of(), leftExchanges, "exchanges of " + organization + " left after the test");
        }
    }

    @Test
    void neverDeletesTheSharedStoreQueues(TestBroker broker) throws Exception {
        boolean existedBefore = ctl.listQueues().stream().anyMatch(queue -> queue.name().equals(Convention.STORE_QUEUE));
        assertFalse(broker.owns(Convention.STORE_QUEUE));
        if (!existedBefore) {
            // Nothing to protect on this broker; the rule itself is unit-tested in TestBrokerTest.
            return;
        }
        broker.release();
        assertEquals(true, ctl.listQueues().stream().anyMatch(queue -> queue.name().equals(Convention.STORE_QUEUE)),
                "the shared store queue must survive the cleanup");
        try (Connection connection = broker.connectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclarePassive(Convention.STORE_QUEUE);
        }
    }

    @RabbitMqTest
    static class DeclaresThings {

        @Test
        void first(TestBroker broker) throws Exception {
            declare(broker, "first");
        }

        @Test
        void second(TestBroker broker) throws Exception {
            declare(broker, "second");
        }

        private static void declare(TestBroker broker, String test) throws Exception {
            organizations.put(test, broker.organization());
            Convention names = broker.convention();
            Channel channel = broker.newConnection().createChannel();
            channel.exchangeDeclare(names.mainExchange(), "topic", true);
            channel.exchangeDeclare(names.retryExchange(), "topic", true);
            String queue = names.routingKey("user.created", 1, dev.eventbus.core.MessageKind.DOMAIN_EVENT) + ".send_mail";
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDeclare(names.retryQueue(queue), true, false, false, Map.of("x-message-ttl", 1000));
            channel.queueBind(queue, names.mainExchange(), "#");
            assertEquals(2, ctl(broker).listQueues().stream().filter(q -> q.name().contains(broker.organization())).count());
        }

        private static RabbitMqCtl ctl(TestBroker broker) {
            return broker.ctl();
        }
    }
}
