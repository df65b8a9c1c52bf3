package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The testkit pointed at a second RabbitMQ node of this machine (started here, on ports of its own), with no
 * {@code EVENTBUS_RABBITMQCTL} or {@code EVENTBUS_RABBITMQ_NODE}: what tests declare there is deleted there, and the
 * default node, where the same names exist as decoys, is left as it was. Once with the second node's management API
 * (which also finds what a test declared through a connection the testkit never saw), once without it.
 *
 * <p>Needs {@code rabbitmq-server} on this machine; skipped, saying so, without it. Ports 5681 (AMQP), 25681
 * (distribution) and 15681 (management).
 */
class SecondNodeIT {

    private static final String DEFAULT_NODE_URI = "amqp://guest:guest@127.0.0.1:5672";
    static final Map<String, String> seen = new ConcurrentHashMap<>();

    private static LocalNode node;

    @BeforeAll
    static void startTheSecondNode() {
        Optional<String> missing = LocalNode.unavailableReason();
        Assumptions.assumeTrue(missing.isEmpty(), () -> "a second local node cannot be started: " + missing.orElse(""));
        // tag::local-node[]
        node = LocalNode.builder().nodeName("eventbus-second@localhost")   // its own node name and ports
                .amqpPort(5681).distributionPort(25681).managementPort(15681)   // management: 0 for none
                .build();
        node.start(Duration.ofSeconds(120));   // node.amqpUri(), node.ctl("/"), ... then node.stop()
        // end::local-node[]
    }

    @AfterAll
    static void stopTheSecondNode() {
        if (node != null) {
            node.stop();
        }
    }

    @Test
    void withItsManagementApiLeavesNothingBehindThereAndTouchesNothingOnTheDefaultNode() throws Exception {
        runAgainstTheSecondNode(node.amqpUri() + "/", null, DeclaresEverywhere.class);

        String organization = seen.get("organization");
        assertTrue(seen.get("ctl").contains("not on the test broker's port 5681"),
                "the default node's rabbitmqctl must not pass for the second node's: " + seen.get("ctl"));
        assertEquals(List.of(), namesOnTheSecondNode(organization), "left on the second node by " + organization);
        assertOnlyTheDecoysOnTheDefaultNode(organization);
    }

    @Test
    void withoutAManagementApiDeletesWhatItSawDeclared() throws Exception {
        runAgainstTheSecondNode(node.amqpUri(), "none", DeclaresThroughTheTestkit.class);

        String organization = seen.get("organization");
        assertEquals(List.of(), namesOnTheSecondNode(organization), "left on the second node by " + organization);
        assertOnlyTheDecoysOnTheDefaultNode(organization);
    }

    private static void runAgainstTheSecondNode(String url, String managementUrl, Class<?> testClass) {
        seen.clear();
        Map<String, String> previous = new java.util.HashMap<>();
        Map<String, String> properties = new java.util.HashMap<>(Map.of(BrokerSelector.URL_PROPERTY, url));
        if (managementUrl != null) {
            properties.put(ManagementApi.URL_PROPERTY, managementUrl);
        }
        properties.keySet().forEach(key -> previous.put(key, System.getProperty(key)));
        properties.forEach(System::setProperty);
        try {
            InnerTests.run(testClass).assertStatistics(stats -> stats.succeeded(1).failed(0));
        } finally {
            previous.forEach((key, value) -> {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            });
        }
    }

    /** Listed by the second node's own rabbitmqctl ({@code -n eventbus-second@localhost}), not by what the testkit uses. */
    private static List<String> namesOnTheSecondNode(String organization) {
        RabbitMqCtl ctl = node.ctl("/");
        List<String> names = new ArrayList<>();
        ctl.listQueues().stream().map(RabbitMqCtl.QueueInfo::name).filter(name -> name.contains(organization))
                .forEach(name -> names.add("queue " + name));
        ctl.listExchanges().stream().map(RabbitMqCtl.ExchangeInfo::name).filter(name -> name.contains(organization))
                .forEach(name -> names.add("exchange " + name));
        return names;
    }

    private static void assertOnlyTheDecoysOnTheDefaultNode(String organization) throws Exception {
        RabbitMqCtl ctl = RabbitMqCtl.local("/");
        Assumptions.assumeTrue(ctl.isAvailable(), () -> "checking the default node needs its rabbitmqctl: " + ctl.unavailableReason());
        List<String> queues = ctl.listQueues().stream().map(RabbitMqCtl.QueueInfo::name).filter(name -> name.contains(organization))
                .sorted().toList();
        List<String> exchanges = ctl.listExchanges().stream().map(RabbitMqCtl.ExchangeInfo::name)
                .filter(name -> name.contains(organization)).sorted().toList();
        try {
            assertEquals(Decoys.queues(organization), queues, "queues of " + organization + " on the default node: the decoys, untouched");
            assertEquals(Decoys.exchanges(organization), exchanges, "exchanges of " + organization + " on the default node: the decoys");
        } finally {
            Decoys.delete(organization);
        }
    }

    /** Names a test of the organization would own, declared on the default node, where the cleanup must not go. */
    static final class Decoys {

        /** The raw queue and the bus's handler queue of the test (its service is the test class's name). */
        static List<String> queues(String organization) {
            String service = seen.get("service");
            return List.of(organization + ".inbox", organization + "." + service + ".1.event.greeted.send_mail").stream().sorted().toList();
        }

        /** The raw exchange and the bus's main exchange. */
        static List<String> exchanges(String organization) {
            return List.of(organization + "." + seen.get("service"), organization + ".events").stream().sorted().toList();
        }

        static void declare(String organization) throws Exception {
            try (Connection connection = defaultNode().newConnection("secondnodeit-decoys"); Channel channel = connection.createChannel()) {
                for (String queue : queues(organization)) {
                    channel.queueDeclare(queue, true, false, false, null);
                }
                for (String exchange : exchanges(organization)) {
                    channel.exchangeDeclare(exchange, "topic", true);
                }
            }
        }

        static void delete(String organization) throws Exception {
            try (Connection connection = defaultNode().newConnection("secondnodeit-decoys"); Channel channel = connection.createChannel()) {
                for (String queue : queues(organization)) {
                    channel.queueDelete(queue);
                }
                for (String exchange : exchanges(organization)) {
                    channel.exchangeDelete(exchange);
                }
            }
        }

        private static ConnectionFactory defaultNode() throws Exception {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(DEFAULT_NODE_URI);
            return factory;
        }
    }

    /** An event of these tests. */
    record Greeted(String name) implements dev.eventbus.core.Event {
    }

    /** Declares through a bus, a testkit connection and a connection the testkit never sees. */
    @RabbitMqTest
    @EnabledIfSystemProperty(named = InnerTests.PROPERTY, matches = "true", disabledReason = InnerTests.ONLY_FROM_ITS_TEST)
    static class DeclaresEverywhere {

        @Test
        void declares(TestBroker broker) throws Exception {
            seen.put("organization", broker.organization());
            seen.put("service", broker.service());
            seen.put("ctl", broker.ctl().unavailableReason().orElse("available"));
            Decoys.declare(broker.organization());
            DeclaresThroughTheTestkit.throughABusAndATestkitConnection(broker);
            ConnectionFactory foreign = new ConnectionFactory();
            foreign.setUri(broker.uri());
            foreign.setVirtualHost(broker.virtualHost());
            try (Connection connection = foreign.newConnection("secondnodeit-foreign"); Channel channel = connection.createChannel()) {
                channel.queueDeclare(broker.organization() + ".foreign", true, false, false, null);
            }
            assertTrue(broker.runningBroker().managementApi().isPresent(), "the second node's management API on 15681");
        }
    }

    /** Declares through a bus and a testkit connection only. */
    @RabbitMqTest
    @EnabledIfSystemProperty(named = InnerTests.PROPERTY, matches = "true", disabledReason = InnerTests.ONLY_FROM_ITS_TEST)
    static class DeclaresThroughTheTestkit {

        @Test
        void declares(TestBroker broker) throws Exception {
            seen.put("organization", broker.organization());
            seen.put("service", broker.service());
            Decoys.declare(broker.organization());
            throughABusAndATestkitConnection(broker);
            assertTrue(broker.runningBroker().managementApi().isEmpty(), "the management API is turned off");
        }

        static void throughABusAndATestkitConnection(TestBroker broker) throws Exception {
            assertEquals(5681, broker.runningBroker().uri().port());
            List<String> greeted = new CopyOnWriteArrayList<>();
            RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(Greeted.class, "send_mail",
                    message -> greeted.add(message.payload().name()))));
            bus.admin().configure();
            bus.start();
            bus.publish(new Greeted("Alice"));
            Await.until("Alice greeted on the second node", Duration.ofSeconds(10), () -> greeted.contains("Alice"), greeted::toString);
            Channel channel = broker.newConnection().createChannel();
            channel.queueDeclare(broker.organization() + ".inbox", true, false, false, null);
            channel.exchangeDeclare(broker.organization() + ".events", "topic", true);
            // the decoys name what this test declared on the second node
            assertTrue(Decoys.queues(broker.organization()).contains(bus.admin().topology().queues().get(0).name()));
            assertTrue(Decoys.exchanges(broker.organization()).contains(bus.convention().mainExchange()));
        }
    }
}
