package dev.eventbus.testkit;

import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerUriTest {

    @ParameterizedTest(name = "{0} -> vhost ''{1}''")
    @CsvSource(delimiter = '|', value = {
            "amqp://guest:guest@localhost:5672   | /",
            "amqp://guest:guest@localhost:5672/  | /",
            "amqp://guest:guest@localhost:5672/%2F | /",
            "amqp://guest:guest@localhost:5672/tests | tests",
            "amqp://guest:guest@localhost:5672/a%2Fb | a/b",
            "amqp://guest:guest@localhost:5672/?heartbeat=10 | /",
    })
    void readsTheVirtualHostAsTheBusDoes(String uri, String expected) {
        BrokerUri brokerUri = new BrokerUri(uri);

        assertEquals(expected, brokerUri.virtualHost(), "the testkit's vhost of " + uri);
        assertEquals(RabbitMqConnectionSettings.fromUri(uri).virtualHost(), brokerUri.virtualHost(), "the bus's vhost of " + uri);
        assertEquals(expected, brokerUri.factory().getVirtualHost(), "the vhost the testkit's connections open");
    }

    @Test
    void aTrailingSlashIsTheDefaultVirtualHostNotTheEmptyOne() {
        BrokerUri uri = new BrokerUri("amqp://app:pw@rabbit.example:5681/");

        assertEquals("/", uri.virtualHost());
        assertEquals(5681, uri.port());
        assertEquals("app", uri.username());
        assertEquals("pw", uri.password());
    }

    @Test
    void knowsTheDefaultPortsAndTls() {
        assertEquals(5672, new BrokerUri("amqp://localhost").port());
        assertFalse(new BrokerUri("amqp://localhost").tls());
        assertTrue(new BrokerUri("amqps://svc:secret@broker").tls());
        assertEquals(5671, new BrokerUri("amqps://svc:secret@broker").port());
    }

    @Test
    void keepsCredentialsAndPortOnAnotherVirtualHost() {
        BrokerUri other = new BrokerUri("amqp://app:pw@localhost:5681/").withVirtualHost("eventbus-test-t1");

        assertEquals("eventbus-test-t1", other.virtualHost());
        assertEquals(5681, other.port());
        assertEquals("amqp://app:****@localhost:5681/eventbus-test-t1", other.display());
    }
}
