package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.BusHealth;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import org.junit.jupiter.api.Test;

/** health() covers the connections, so a service that only publishes is not called healthy while disconnected. */
@RabbitMqTest
class HealthIT {

    @Test
    void aPublisherOnlyBusReportsItsConnection(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b);
        BusHealth health = bus.health();
        assertTrue(health.healthy(), () -> "unhealthy: " + health.problems());
        assertEquals(1, health.connections().size(), health.toString());
        assertEquals(bus.connectionName() + "-publisher", health.connections().get(0).name());
        assertTrue(health.handlers().isEmpty());
    }

    @Test
    void aPublisherOnlyBusThatCannotReachTheBrokerIsUnhealthyAndSaysWhy() {
        RabbitMqEventBus bus = RabbitMqEventBus.builder()
                .connection(RabbitMqConnectionSettings.fromUri("amqp://guest:guest@127.0.0.1:1/"))
                .organization("healthit").service("nowhere").build();
        try {
            BusHealth health = bus.health();
            assertFalse(health.healthy(), health.toString());
            assertEquals(1, health.problems().size(), health.problems().toString());
            assertTrue(health.problems().get(0).contains("publisher"), health.problems().toString());
            assertFalse(health.problems().get(0).contains("guest:guest"), "no credentials in health: " + health.problems());
        } finally {
            bus.stop();
        }
    }

    @Test
    void aConsumingBusReportsBothConnectionsAndItsHandlers(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "health_handler", m -> { })));
        bus.admin().configure();
        bus.start();
        BusHealth health = bus.health();
        assertTrue(health.healthy(), () -> "unhealthy: " + health.problems());
        assertEquals(2, health.connections().size(), health.toString());
        assertEquals(HandlerStatus.State.CONSUMING, health.handlers().get(0).state());
        bus.stop();
        BusHealth stopped = bus.health();
        assertFalse(stopped.healthy(), "a stopped bus is not healthy: " + stopped);
        assertEquals(HandlerStatus.State.STOPPED, stopped.handlers().get(0).state());
    }
}
