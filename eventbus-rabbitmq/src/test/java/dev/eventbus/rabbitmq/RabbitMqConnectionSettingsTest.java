package dev.eventbus.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.ConfigurationException;
import java.time.Duration;
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

    @Test
    void readsBracketedIpv6AddressesWithAndWithoutPort() {
        var settings = RabbitMqConnectionSettings.fromUri("amqp://u:p@[::1]:5673,[fe80::1],h2/v");
        assertEquals(List.of(new RabbitMqConnectionSettings.Address("::1", 5673),
                new RabbitMqConnectionSettings.Address("fe80::1", 5672),
                new RabbitMqConnectionSettings.Address("h2", 5672)), settings.addresses());
        assertEquals("[::1]:5673,[fe80::1]:5672,h2:5672", settings.describeAddresses());
        assertEquals(settings.addresses(), RabbitMqConnectionSettings.fromUri(settings.toUri()).addresses());
        assertEquals(List.of(new RabbitMqConnectionSettings.Address("::1", 5700)),
                RabbitMqConnectionSettings.fromEnvironment(Map.of("RABBITMQ_HOST", "[::1]", "RABBITMQ_PORT", "5700")).addresses());
    }

    @Test
    void anAddressWithTwoPortsOrAnOpenBracketIsAnErrorNamingIt() {
        ConfigurationException twoPorts = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.fromUri("amqp://u:topsecret@host:5672:5673/"));
        assertTrue(twoPorts.getMessage().contains("address 'host:5672:5673'"), twoPorts.getMessage());
        ConfigurationException bareIpv6 = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.fromUri("amqp://::1/"));
        assertTrue(bareIpv6.getMessage().contains("'::1'") && bareIpv6.getMessage().contains("[::1]:5672"), bareIpv6.getMessage());
        ConfigurationException open = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.fromUri("amqp://[::1:5672/"));
        assertTrue(open.getMessage().contains("'[::1:5672'"), open.getMessage());
        ConfigurationException trailing = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.fromUri("amqp://[::1]5672/"));
        assertTrue(trailing.getMessage().contains("'[::1]5672'"), trailing.getMessage());
        ConfigurationException envHost = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.fromEnvironment(Map.of("RABBITMQ_HOST", "r1,r2:1:2")));
        assertTrue(envHost.getMessage().contains("'r2:1:2'") && envHost.getMessage().contains("RABBITMQ_HOST"), envHost.getMessage());
    }

    @Test
    void heartbeatDefaultsToTenSecondsAndIsReadFromTheUriAndTheEnvironment() {
        assertEquals(Duration.ofSeconds(10), RabbitMqConnectionSettings.fromUri("amqp://h").heartbeat());
        assertEquals(Duration.ofSeconds(10), RabbitMqConnectionSettings.fromEnvironment(Map.of()).heartbeat());
        assertEquals(Duration.ofSeconds(3), RabbitMqConnectionSettings.fromUri("amqp://u:p@h/v?heartbeat=3").heartbeat());
        assertEquals(Duration.ofMillis(1500),
                RabbitMqConnectionSettings.fromUri("amqp://h/v?connection_timeout=1500&other=x").connectionTimeout());
        assertEquals(Duration.ZERO, RabbitMqConnectionSettings.fromEnvironment(Map.of("RABBITMQ_HEARTBEAT", "0")).heartbeat());
        assertEquals(Duration.ofSeconds(4), RabbitMqConnectionSettings.localhost().withHeartbeat(Duration.ofSeconds(4)).heartbeat());
        ConfigurationException fraction = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.localhost().withHeartbeat(Duration.ofMillis(1500)));
        assertTrue(fraction.getMessage().contains("whole number of seconds"), fraction.getMessage());
        ConfigurationException notANumber = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.fromUri("amqp://u:topsecret@h/v?heartbeat=soon"));
        assertTrue(notANumber.getMessage().contains("heartbeat='soon'"), notANumber.getMessage());
        assertFalse(notANumber.getMessage().contains("topsecret"), notANumber.getMessage());
    }

    @Test
    void addressesAreShuffledUnlessAskedToKeepTheirOrder() {
        assertTrue(RabbitMqConnectionSettings.fromUri("amqp://h1,h2").shuffleAddresses());
        assertFalse(RabbitMqConnectionSettings.fromUri("amqp://h1,h2").withShuffledAddresses(false).shuffleAddresses());
    }

    @Test
    void theInboundBodyLimitDefaultsToTheLargestABrokerAccepts() {
        assertEquals(512 * 1024 * 1024, RabbitMqConnectionSettings.localhost().maxInboundMessageBodySize());
        assertEquals(1000, RabbitMqConnectionSettings.localhost().withMaxInboundMessageBodySize(1000).maxInboundMessageBodySize());
        assertThrows(ConfigurationException.class, () -> RabbitMqConnectionSettings.localhost().withMaxInboundMessageBodySize(0));
    }

    @Test
    void aPasswordMayHoldUnencodedReservedCharacters() {
        var settings = RabbitMqConnectionSettings.fromUri("amqp://alice:ab/c@d#e?f,g:h@host:5673/orders?heartbeat=5");
        assertEquals("alice", settings.username());
        assertEquals("ab/c@d#e?f,g:h", settings.password());
        assertEquals("host:5673", settings.describeAddresses());
        assertEquals("orders", settings.virtualHost());
        assertEquals(Duration.ofSeconds(5), settings.heartbeat());
        assertEquals("a+b c", RabbitMqConnectionSettings.fromUri("amqp://u:a+b%20c@h").password());
        assertEquals(settings, RabbitMqConnectionSettings.fromUri(settings.toUri()));
    }

    @Test
    void anInvalidPercentEscapeInThePasswordIsAConfigurationErrorThatDoesNotQuoteIt() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RabbitMqConnectionSettings.fromUri("amqp://alice:se%zzcret@host/"));
        assertTrue(error.getMessage().contains("password") && error.getMessage().contains("%25"), error.getMessage());
        assertFalse(error.getMessage().contains("se%zz") || error.getMessage().contains("cret"), error.getMessage());
        assertThrows(ConfigurationException.class, () -> RabbitMqConnectionSettings.fromUri("amqp://alice:%ff%fe@host/"));
    }
}
