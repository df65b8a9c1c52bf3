package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@RabbitMqTest
class RabbitMqCtlIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void listsQueuesExchangesAndBindingsWithTheirArguments(TestBroker broker) throws Exception {
        String exchange = broker.convention().mainExchange();
        String queue = exchange + ".1.event.user.created.send_mail";
        try (Channel channel = broker.newConnection().createChannel()) {
            channel.exchangeDeclare(exchange, "topic", true, false, Map.of("alternate-exchange", "ae." + exchange));
            channel.queueDeclare(queue, true, false, false, Map.of("x-message-ttl", 5000, "x-dead-letter-exchange", "dlx." + exchange));
            channel.queueBind(queue, exchange, "*.*.1.event.#", Map.of("x-note", "test"));
            channel.basicPublish(exchange, exchange + ".1.event.user.created", null, "{}".getBytes(StandardCharsets.UTF_8));
            channel.basicPublish(exchange, exchange + ".1.event.user.created", null, "{}".getBytes(StandardCharsets.UTF_8));
        }
        RabbitMqCtl ctl = broker.ctl();

        RabbitMqCtl.QueueInfo listed = Await.untilValue("queue " + queue + " listed with 2 messages", TIMEOUT,
                () -> ctl.listQueues().stream().filter(q -> q.name().equals(queue)).findFirst().orElse(null),
                q -> q != null && q.messages() == 2);
        assertTrue(listed.durable());
        assertEquals(0, listed.consumers());
        assertEquals(Map.of("x-message-ttl", 5000, "x-dead-letter-exchange", "dlx." + exchange), listed.arguments());

        RabbitMqCtl.ExchangeInfo listedExchange = ctl.listExchanges().stream().filter(e -> e.name().equals(exchange)).findFirst()
                .orElseThrow(() -> new AssertionError("expected exchange " + exchange + " in list_exchanges; observed: " + ctl.listExchanges()));
        assertEquals("topic", listedExchange.type());
        assertTrue(listedExchange.durable());
        assertEquals(Map.of("alternate-exchange", "ae." + exchange), listedExchange.arguments());

        RabbitMqCtl.BindingInfo binding = ctl.listBindings().stream().filter(b -> b.source().equals(exchange)).findFirst()
                .orElseThrow(() -> new AssertionError("expected a binding from " + exchange + "; observed: " + ctl.listBindings()));
        assertEquals(new RabbitMqCtl.BindingInfo(exchange, queue, "queue", "*.*.1.event.#", Map.of("x-note", "test")), binding);
    }

    @Test
    void listsConnectionsWithTheNameTheClientGaveThem(TestBroker broker) {
        Connection connection = broker.newConnection(broker.connectionNamePrefix() + "-listed");

        RabbitMqCtl.ConnectionInfo listed = Await.untilValue("the connection listed", TIMEOUT,
                () -> broker.ctl().listConnections().stream()
                        .filter(c -> c.clientProvidedName().equals(connection.getClientProvidedName())).findFirst().orElse(null),
                c -> c != null);
        assertTrue(listed.pid().startsWith("<rabbit@"), listed.pid());
        assertTrue(listed.name().contains("->"), listed.name());
    }

    @Test
    void closesOnlyTheConnectionsWithTheGivenNamePrefix(TestBroker broker) {
        Connection target = broker.newConnection(broker.connectionNamePrefix() + "-target");
        Connection bystander = broker.newConnection(broker.connectionNamePrefix() + "-bystander");
        try (RecoveryWatch targetWatch = Faults.watchRecovery(target); RecoveryWatch bystanderWatch = Faults.watchRecovery(bystander)) {

            int closed = broker.ctl().closeConnectionsNamed(broker.connectionNamePrefix() + "-target");

            assertEquals(1, closed);
            targetWatch.awaitRecovered(TIMEOUT);
            assertEquals(0, bystanderWatch.recoveriesStarted(), "the bystander connection must not have been closed");
            assertTrue(bystander.isOpen());
        }
    }

    @Test
    void refusesAnEmptyConnectionNamePrefix(TestBroker broker) {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> broker.ctl().closeConnectionsNamed(""));

        assertTrue(failure.getMessage().contains("closeAllConnections"), failure.getMessage());
    }

    @Test
    void saysWhatIsWrongWhenTheVirtualHostIsNotOnTheNode(TestBroker broker) {
        RabbitMqCtl elsewhere = RabbitMqCtl.local("no-such-vhost-" + broker.organization());

        assertFalse(elsewhere.isAvailable());
        assertTrue(elsewhere.unavailableReason().orElseThrow().contains("has no virtual host 'no-such-vhost-"),
                elsewhere.unavailableReason().orElseThrow());
    }

    @Test
    void refusesToManageANodeThatIsNotTheTestBrokers(TestBroker broker) {
        // the installation's default node, checked against a broker on another port: as for a second local node
        RabbitMqCtl forAnotherPort = new RabbitMqCtl(LocalCtlRunner.discover(), broker.virtualHost(), RabbitMqCtl.DEFAULT_TIMEOUT,
                5999);

        String reason = forAnotherPort.unavailableReason().orElseThrow(
                () -> new AssertionError("rabbitmqctl of the default node must not count as the ctl of a broker on port 5999"));
        assertTrue(reason.contains("not on the test broker's port 5999") && reason.contains(LocalCtlRunner.NODE_VARIABLE), reason);
        assertTrue(broker.ctl().isAvailable(), "the test broker's own ctl: " + broker.ctl().unavailableReason());
    }

    @Test
    void explainsHowToFixAMissingBinary() {
        System.setProperty(LocalCtlRunner.PATH_PROPERTY, "/nonexistent/rabbitmqctl");
        try {
            RabbitMqCtl missing = RabbitMqCtl.local("/");

            assertFalse(missing.isAvailable());
            RabbitMqCtlException failure = assertThrows(RabbitMqCtlException.class, missing::listQueues);
            assertTrue(failure.getMessage().contains("is not an executable file"), failure.getMessage());
        } finally {
            System.clearProperty(LocalCtlRunner.PATH_PROPERTY);
        }
    }
}
