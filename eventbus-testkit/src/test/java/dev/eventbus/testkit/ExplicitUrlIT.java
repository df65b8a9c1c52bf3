package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs a test class with {@code -Deventbus.rabbitmq.url} set, in its own JUnit engine run so that its
 * broker selection is its own.
 */
class ExplicitUrlIT {

    static final AtomicReference<TestBroker> seen = new AtomicReference<>();

    @Test
    void usesTheBrokerNamedByTheUrlProperty() {
        String previous = System.getProperty(BrokerSelector.URL_PROPERTY);
        System.setProperty(BrokerSelector.URL_PROPERTY, "amqp://guest:guest@127.0.0.1:5672/%2F");
        try {
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(UsesTheNamedBroker.class)).execute()
                    .testEvents().assertStatistics(stats -> stats.succeeded(1).failed(0));
        } finally {
            if (previous == null) {
                System.clearProperty(BrokerSelector.URL_PROPERTY);
            } else {
                System.setProperty(BrokerSelector.URL_PROPERTY, previous);
            }
        }

        TestBroker broker = seen.get();
        assertEquals(BrokerSource.ENVIRONMENT, broker.source());
        assertEquals("amqp://guest:****@127.0.0.1:5672/%2F", broker.displayUri());
        assertEquals("/", broker.virtualHost());
    }

    @Test
    void aTrailingSlashIsTheVirtualHostTheBusUses() {
        String previous = System.getProperty(BrokerSelector.URL_PROPERTY);
        System.setProperty(BrokerSelector.URL_PROPERTY, "amqp://guest:guest@127.0.0.1:5672/");
        try {
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(DeclaresThroughTheBus.class)).execute()
                    .testEvents().assertStatistics(stats -> stats.succeeded(1).failed(0));
        } finally {
            if (previous == null) {
                System.clearProperty(BrokerSelector.URL_PROPERTY);
            } else {
                System.setProperty(BrokerSelector.URL_PROPERTY, previous);
            }
        }

        assertEquals("/", seen.get().virtualHost());
    }

    @RabbitMqTest
    static class DeclaresThroughTheBus {

        @Test
        void seesWhatTheBusDeclared(TestBroker broker) throws Exception {
            seen.set(broker);
            RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "send_mail", message -> { })));
            bus.admin().configure();   // the bus reads the URI's trailing / as vhost /; so must the testkit, or cleanup misses it
            try (Channel channel = broker.newConnection().createChannel()) {
                channel.exchangeDeclarePassive(bus.convention().mainExchange());
                channel.queueDeclarePassive(bus.admin().topology().queues().get(0).name());
            }
        }
    }

    @RabbitMqTest
    static class UsesTheNamedBroker {

        @Test
        void connects(TestBroker broker) {
            seen.set(broker);
            assertEquals(true, broker.newConnection().isOpen());
        }
    }
}
