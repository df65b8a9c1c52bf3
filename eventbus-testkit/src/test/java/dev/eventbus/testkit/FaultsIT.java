package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@RabbitMqTest
class FaultsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Test
    void aConnectionClosedByTheBrokerRecoversWithItsTopology(TestBroker broker) throws Exception {
        Connection connection = broker.newConnection();
        Channel channel = connection.createChannel();
        String queue = broker.convention().mainExchange() + ".recovery";
        channel.queueDeclare(queue, false, false, false, null);

        Faults.closeAndAwaitRecovery(broker, connection, TIMEOUT);

        assertTrue(connection.isOpen());
        channel.basicPublish("", queue, null, new byte[0]);
        Await.awaitQueueDepth(channel, queue, 1, TIMEOUT);
    }

    @Test
    void closesEveryConnectionOfTheTestByItsPrefixAndWatchesThemRecover(TestBroker broker) {
        Connection first = broker.newConnection();
        Connection second = broker.newConnection();
        try (RecoveryWatch firstWatch = Faults.watchRecovery(first); RecoveryWatch secondWatch = Faults.watchRecovery(second)) {

            assertEquals(2, Faults.closeConnectionsNamed(broker, broker.connectionNamePrefix()));

            firstWatch.awaitRecovered(TIMEOUT);
            secondWatch.awaitRecovered(TIMEOUT);
            Faults.awaitConnectionOpen(first, TIMEOUT);
            assertEquals(1, firstWatch.recoveriesCompleted());
        }
    }

    @Test
    void failsClearlyWhenTheNamedConnectionIsNotOnTheBroker(TestBroker broker) throws Exception {
        try (Connection unnamed = broker.connectionFactory().newConnection()) {
            ConfigurationException failure = assertThrows(ConfigurationException.class,
                    () -> Faults.closeAndAwaitRecovery(broker, unnamed, TIMEOUT));
            assertTrue(failure.getMessage().contains("has no client-provided name"), failure.getMessage());
        }
    }

    @Test
    void refusesAConnectionWithoutAutomaticRecovery(TestBroker broker) throws Exception {
        com.rabbitmq.client.ConnectionFactory factory = broker.connectionFactory();
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection plain = factory.newConnection(broker.connectionNamePrefix() + "-plain")) {
            ConfigurationException failure = assertThrows(ConfigurationException.class, () -> Faults.watchRecovery(plain));
            assertTrue(failure.getMessage().contains("setAutomaticRecoveryEnabled(true)"), failure.getMessage());
        }
    }
}
