package dev.eventbus.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Event;
import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.MessageName;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.Headers;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Schemas checked on publish and on consume against the real broker (schema: eventbus/schemas/order.placed/1.json). */
@RabbitMqTest
class SchemaValidationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    record OrderPlaced(String orderId, double total) implements Event {
    }

    /** The same message written by a producer that checks nothing: {@code total} as a string breaks the schema. */
    @MessageName("order.placed")
    record SloppyOrderPlaced(String orderId, String total) implements Event {
    }

    private static final JsonSchemaValidator VALIDATOR = JsonSchemaValidator.fromClasspath();

    @Test
    void aValidEventIsPublishedAndHandled(TestBroker broker) {
        List<OrderPlaced> handled = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.validator(VALIDATOR)
                .subscribe(Subscription.of(OrderPlaced.class, "billing", m -> handled.add(m.payload()))));
        bus.admin().configure();
        bus.start();

        bus.publish(new OrderPlaced("o-1", 9.5));

        Await.until("the order handled", TIMEOUT, () -> handled.size() == 1, handled::toString);
        assertEquals(new OrderPlaced("o-1", 9.5), handled.get(0));
    }

    @Test
    void anInvalidEventIsRejectedOnPublishWithEachViolationAndNothingIsSent(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.validator(VALIDATOR)
                .subscribe(Subscription.of(OrderPlaced.class, "billing", m -> { })));
        bus.admin().configure();

        InvalidMessageException invalid = assertThrows(InvalidMessageException.class,
                () -> bus.publish(new OrderPlaced(null, 1)));

        assertEquals("order.placed", invalid.messageName());
        assertTrue(invalid.violations().stream().anyMatch(v -> v.startsWith("#/order_id")), invalid.violations().toString());
        bus.publish(new OrderPlaced("o-2", 2));
        String queue = broker.convention().handlerQueue(MessageType.of(OrderPlaced.class), "billing");
        Await.awaitQueueDepth(broker, queue, 1, TIMEOUT);
    }

    @Test
    void anInvalidEventArrivingIsDeadLetteredWithItsViolationsNeverRetriedAndTheConsumerGoesOn(TestBroker broker)
            throws Exception {
        List<String> handled = new CopyOnWriteArrayList<>();
        RabbitMqEventBus consumer = broker.bus(b -> b.validator(VALIDATOR).retryPolicy(RetryPolicy.of(5, Duration.ofMillis(50)))
                .subscribe(Subscription.of(OrderPlaced.class, "billing", m -> handled.add(m.payload().orderId()))));
        consumer.admin().configure();
        consumer.start();
        RabbitMqEventBus uncheckedProducer = broker.bus(b -> b);

        uncheckedProducer.publish(new SloppyOrderPlaced("o-bad", "lots"));
        uncheckedProducer.publish(new OrderPlaced("o-good", 3));

        String queue = consumer.convention().handlerQueue(MessageType.of(OrderPlaced.class), "billing");
        DeadLetter letter = Await.deadLetter(consumer, queue, DeadLetterReason.INVALID, TIMEOUT);
        Await.until("the valid order after the invalid one handled", TIMEOUT, () -> handled.contains("o-good"), handled::toString);
        assertEquals(List.of("o-good"), handled, "the handler never saw the invalid order");
        assertEquals(0, letter.attempts(), "never retried: the handler did not run");
        assertTrue(letter.exceptionMessage().contains("#/total"), letter.exceptionMessage());
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            GetResponse response = channel.basicGet(consumer.convention().deadLetterQueue(queue), false);
            assertNotNull(response);
            Object violations = response.getProps().getHeaders().get(Headers.VIOLATIONS);
            assertTrue(String.valueOf(violations).contains("#/total"), "violations header: " + violations);
        }
        assertEquals(1, consumer.admin().deadLetters().count(queue), "exactly one dead letter");
    }
}
