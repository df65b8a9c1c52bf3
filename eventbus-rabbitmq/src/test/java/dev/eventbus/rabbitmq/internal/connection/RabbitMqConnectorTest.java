package dev.eventbus.rabbitmq;

import dev.eventbus.rabbitmq.internal.connection.RabbitMqConnector;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class RabbitMqConnectorTest {

    @Test
    void aMissingBrokerGivesOneErrorNamingTheAddressAndHowToStartOne() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        var settings = RabbitMqConnectionSettings.fromUri("amqp://user:topsecret@127.0.0.1:" + freePort + "/");
        BrokerUnavailableException error = assertThrows(BrokerUnavailableException.class,
                () -> new RabbitMqConnector(settings).open("test"));
        String message = error.getMessage();
        assertTrue(message.contains("127.0.0.1:" + freePort), message);
        assertTrue(message.contains("rabbitmq-server -detached") && message.contains("EVENTBUS_RABBITMQ_URL"), message);
        assertFalse(message.contains("topsecret"), message);
    }
}
