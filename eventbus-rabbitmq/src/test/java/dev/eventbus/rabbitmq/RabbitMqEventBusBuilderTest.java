package dev.eventbus.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.ConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each setter checks its own value at once; build() checks what depends on several. No broker needed. */
class RabbitMqEventBusBuilderTest {

    @Test
    void metaHeadersMustNameMetaKeysNotTheBrokersHeaders() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RabbitMqEventBus.builder().metaHeaders("traceparent", "x-death"));
        assertTrue(error.getMessage().contains("x-death"), error.getMessage());
        assertThrows(ConfigurationException.class, () -> RabbitMqEventBus.builder().metaHeaders(" "));
    }

    @Test
    void handlerQueueTtlOverWhatXMessageTtlHoldsIsRefusedInsteadOfTruncated() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RabbitMqEventBus.builder().handlerQueueTtl(Duration.ofDays(60)));
        assertTrue(error.getMessage().contains("handlerQueueTtl") && error.getMessage().contains("2147483647"),
                error.getMessage());
        assertThrows(ConfigurationException.class, () -> RabbitMqEventBus.builder().handlerQueueTtl(Duration.ZERO));
        RabbitMqEventBus.builder().handlerQueueTtl(Duration.ofMillis(Integer.MAX_VALUE)).handlerQueueTtl(null);
    }

    @Test
    void negativeOrZeroTimeoutsAreRefused() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RabbitMqEventBus.builder().publishTimeout(Duration.ofMillis(-5)));
        assertTrue(error.getMessage().contains("publishTimeout"), error.getMessage());
        assertThrows(ConfigurationException.class, () -> RabbitMqEventBus.builder().publishTimeout(Duration.ZERO));
        assertThrows(ConfigurationException.class, () -> RabbitMqEventBus.builder().stopTimeout(Duration.ofSeconds(-1)));
        RabbitMqEventBus.builder().stopTimeout(Duration.ZERO);
    }

    @Test
    void organizationAndServiceAreCheckedInTheirSetters() {
        ConfigurationException dotted = assertThrows(ConfigurationException.class,
                () -> RabbitMqEventBus.builder().organization("alice.corp"));
        assertTrue(dotted.getMessage().contains("organization 'alice.corp'"), dotted.getMessage());
        assertThrows(ConfigurationException.class, () -> RabbitMqEventBus.builder().service(""));
        assertThrows(ConfigurationException.class, () -> RabbitMqEventBus.builder().prefetch(0));
    }

    @Test
    void buildRequiresOrganizationAndService() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RabbitMqEventBus.builder().organization("alice").build());
        assertTrue(error.getMessage().contains("organization and service are required"), error.getMessage());
    }

    @Test
    void aBuiltBusDeclaresTheTtlItWasGiven() {
        RabbitMqEventBus bus = RabbitMqEventBus.builder().uri("amqp://guest:guest@127.0.0.1:1/")
                .organization("alice").service("petisco").handlerQueueTtl(Duration.ofDays(20))
                .subscribe(dev.eventbus.core.Subscription.of(Ping.class, "pong", m -> { }))
                .build();
        Topology.Queue queue = bus.admin().topology().queues().get(0);
        assertEquals((int) Duration.ofDays(20).toMillis(), queue.arguments().get(Topology.MESSAGE_TTL));
    }

    record Ping(String id) implements dev.eventbus.core.Event {
    }
}
