package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Message;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.PublishNotConfirmedException;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.UnroutableMessageException;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

@RabbitMqTest
class PublishFailureIT {

    @Test
    void aMessageNoQueueIsBoundForIsReportedAsUnroutable(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "h", m -> { })));
        bus.admin().configure();

        UnroutableMessageException unroutable = assertThrows(UnroutableMessageException.class,
                () -> bus.publish(new OrderPlaced("o-1", 1)));

        assertEquals(broker.convention().routingKey(Message.of(new OrderPlaced("o-1", 1))), unroutable.routingKey());
        assertEquals(broker.convention().mainExchange(), unroutable.exchange());
        assertTrue(unroutable.getMessage().contains("no queue is bound"), unroutable.getMessage());
    }

    @Test
    void anAsyncPublishOfAnUnroutableMessageFailsItsFuture(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b);
        bus.admin().configure();

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> bus.publishAsync(Message.of(new OrderPlaced("o-1", 1))).get());

        assertInstanceOf(UnroutableMessageException.class, failure.getCause());
    }

    @Test
    void unroutableMessagesCanBeAllowed(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.failOnUnroutable(false));
        bus.admin().configure();

        bus.publish(new OrderPlaced("o-1", 1));
    }

    @Test
    void aPublishToAMissingExchangeIsReportedAndTheBusKeepsWorking(TestBroker broker) {
        List<String> handled = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "h", m -> handled.add(m.payload().name()))));

        PublishNotConfirmedException missing = assertThrows(PublishNotConfirmedException.class,
                () -> bus.publish(new UserCreated("u-1", "lost")));
        assertTrue(missing.getMessage().contains("no exchange '" + broker.convention().mainExchange() + "'"), missing.getMessage());

        for (int i = 0; i < 5; i++) {
            assertThrows(PublishNotConfirmedException.class, () -> bus.publish(new UserCreated("u-1", "lost again")),
                    "every publish to the missing exchange is reported");
        }
        bus.admin().configure();
        bus.start();
        bus.publish(new UserCreated("u-2", "delivered"));
        Await.until("the publish after the channel errors handled", Duration.ofSeconds(20),
                () -> handled.contains("delivered"), handled::toString);
        assertEquals(List.of("delivered"), handled);
    }
}
