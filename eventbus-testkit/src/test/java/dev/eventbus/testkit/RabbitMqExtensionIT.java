package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@RabbitMqTest
class RabbitMqExtensionIT {

    private static final Set<String> organizations = new HashSet<>();

    private TestBroker fromBeforeEach;

    @BeforeEach
    void rememberTheBroker(TestBroker broker) {
        fromBeforeEach = broker;
    }

    @AfterAll
    static void everyTestHadItsOwnOrganization() {
        assertEquals(2, organizations.size(), "organizations seen: " + organizations);
    }

    @Test
    void givesTheLocalBrokerWhenNoUrlIsNamed(TestBroker broker) {
        organizations.add(broker.organization());
        BrokerSource expected = System.getenv(BrokerSelector.URL_VARIABLE) == null ? BrokerSource.LOCALHOST : BrokerSource.ENVIRONMENT;

        assertEquals(expected, broker.source());
        assertSame(fromBeforeEach, broker, "a test and its @BeforeEach must share one TestBroker");
        assertEquals("rabbitmqextensionit", broker.service());
        assertTrue(broker.ctl().isAvailable(), "rabbitmqctl should manage the local broker: " + broker.ctl().unavailableReason());
    }

    @Test
    void opensNamedConnectionsToTheBroker(TestBroker broker) throws Exception {
        organizations.add(broker.organization());
        Connection connection = broker.newConnection();

        assertTrue(connection.isOpen());
        assertTrue(connection.getClientProvidedName().startsWith(broker.connectionNamePrefix()), connection.getClientProvidedName());
        try (Channel channel = connection.createChannel()) {
            String exchange = broker.convention().mainExchange();
            channel.exchangeDeclare(exchange, "topic", true);
            channel.exchangeDeclarePassive(exchange);
        }
    }
}
