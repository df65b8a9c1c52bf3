package dev.eventbus.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.ConfigurationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RabbitMqConnectionSettingsTest {

    @Test
    void readsEveryPartOfAnAmqpUri() {
        var settings = RabbitMqConnectionSettings.fromUri("amqp://alice:s%40cret@rabbit.local:5673/orders");
        assertEquals(List.of(new RabbitMqConnectionSettings.Address("rabbit.local", 5673)), settings.addresses());
        assertEquals("alice", settings.username());
        assertEquals("s@cret", settings.password());
        assertEquals("orders", settings.virtualHost());
        assertFalse(settings.tls());
    }

    @Test
    void defaultsPortVhostAndCredentials() {
        var settings = RabbitMqConnectionSettings.fromUri("amqp://localhost");
        assertEquals(5672, settings.addresses().get(0).port());
        assertEquals("/", settings.virtualHost());
        assertEquals("guest", settings.username());
        assertEquals("/", RabbitMqConnectionSettings.fromUri("amqp://localhost/%2F").virtualHost());
    }

    @Test
    void amqpsMeansTlsOnPort5671() {
        var settings = RabbitMqConnectionSettings.fromUri("amqps://u:p@secure.example.com/");
        assertTrue(settings.tls());
        assertEquals(5671, settings.addresses().get(0).port());
    }

    @Test
    void severalHostsMakeACluster() {
        var settings = RabbitMqConnectionSettings.fromUri("amqp://u:p@h1:5672,h2:5673,h3/vh");
        assertEquals("h1:5672,h2:5673,h3:5672", settings.describeAddresses());
        assertEquals("vh", settings.virtualHost());
    }

    @Test
    void theUrlVariableWinsOverPetiscoVariables() {
        var settings = RabbitMqConnectionSettings.fromEnvironment(Map.of("EVENTBUS_RABBITMQ_URL", "amqp://a:b@x:1234/v",
                "RABBITMQ_HOST", "ignored"));
        assertEquals("x:1234", settings.describeAddresses());
    }

    @Test
    void readsPetiscosVariables() {
        var settings = RabbitMqConnectionSettings.fromEnvironment(Map.of("RABBITMQ_HOST", "r1,r2", "RABBITMQ_PORT", "5700",
                "RABBITMQ_USER", "svc", "RABBITMQ_PASSWORD", "pw", "RABBITMQ_VHOST", "prod"));
        assertEquals("r1:5700,r2:5700", settings.describeAddresses());
        assertEquals("svc", settings.username());
        assertEquals("pw", settings.password());
        assertEquals("prod", settings.virtualHost());
        assertEquals("localhost:5672", RabbitMqConnectionSettings.fromEnvironment(Map.of()).describeAddresses());
    }

    @Test
    void badValuesNameWhatIsWrongWithoutThePassword() {
        ConfigurationException port = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.fromEnvironment(Map.of("RABBITMQ_PORT", "fivethousand")));
        assertTrue(port.getMessage().contains("RABBITMQ_PORT 'fivethousand'"), port.getMessage());
        ConfigurationException scheme = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.fromUri("http://user:topsecret@host/"));
        assertTrue(scheme.getMessage().contains("http"), scheme.getMessage());
        assertFalse(scheme.getMessage().contains("topsecret"), scheme.getMessage());
    }

    @Test
    void neverShowsThePassword() {
        var settings = RabbitMqConnectionSettings.fromUri("amqp://alice:topsecret@host:5672/v");
        assertFalse(settings.toString().contains("topsecret"), settings.toString());
        assertEquals("amqp://alice:***@host:5672/v", RabbitMqConnectionSettings.maskPassword("amqp://alice:topsecret@host:5672/v"));
        assertEquals(settings, RabbitMqConnectionSettings.fromUri(settings.toUri()));
    }
}
