package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input goes to the dead letters at once with its reason, and the consumer goes on with the next message. */
@RabbitMqTest
class PoisonIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<String> handled = new CopyOnWriteArrayList<>();
    private RabbitMqEventBus bus;
    private String queue;
    private String routingKey;

    @BeforeEach
    void startBus(TestBroker broker) {
        bus = broker.bus(b -> b.retryPolicy(RetryPolicy.of(5, Duration.ofSeconds(30)))
                .subscribe(Subscription.of(UserCreated.class, "picky", message -> {
                    if (message.payload().name().equals("poison")) {
                        throw new NonRetryableException("user name 'poison' is not allowed");
                    }
                    handled.add(message.payload().name());
                })));
        bus.admin().configure();
        bus.start();
        queue = broker.convention().handlerQueue(MessageType.of(UserCreated.class), "picky");
        routingKey = broker.convention().routingKey(MessageType.of(UserCreated.class));
    }

    @Test
    void aBodyThatIsNotJsonIsDeadLetteredAsUndecodable(TestBroker broker) throws Exception {
        publishRaw(broker, "this is not json {".getBytes(StandardCharsets.UTF_8));
        bus.publish(new UserCreated("u-1", "after"));

        DeadLetter letter = onlyDeadLetterAfterGoodOneHandled();
        assertEquals(DeadLetterReason.UNDECODABLE, letter.reason());
        assertEquals(0, letter.attempts(), "the handler never saw it");
        assertTrue(letter.exceptionMessage().contains("not JSON"), letter.exceptionMessage());
        assertEquals("this is not json {", new String(letter.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aBodyWithoutTheDataEnvelopeIsDeadLetteredAsUndecodable(TestBroker broker) throws Exception {
        publishRaw(broker, "{\"id\": \"1\", \"type\": \"user.created\"}".getBytes(StandardCharsets.UTF_8));
        bus.publish(new UserCreated("u-1", "after"));

        DeadLetter letter = onlyDeadLetterAfterGoodOneHandled();
        assertEquals(DeadLetterReason.UNDECODABLE, letter.reason());
        assertTrue(letter.exceptionMessage().contains("no \"data\" object"), letter.exceptionMessage());
    }

    @Test
    void aMessageOfAnUnknownTypeIsDeadLetteredAsUnknownType(TestBroker broker) throws Exception {
        String body = "{\"data\": {\"id\": \"5f0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d\", \"type\": \"order.cancelled\", "
                + "\"type_message\": \"domain_event\", "
                + "\"version\": 1, \"attributes\": {}}}";
        publishRaw(broker, body.getBytes(StandardCharsets.UTF_8));
        bus.publish(new UserCreated("u-1", "after"));

        DeadLetter letter = onlyDeadLetterAfterGoodOneHandled();
        assertEquals(DeadLetterReason.UNKNOWN_TYPE, letter.reason());
        assertTrue(letter.exceptionMessage().contains("order.cancelled"), letter.exceptionMessage());
    }

    @Test
    void attributesThatDoNotMapOntoTheTypeAreDeadLetteredAsUndecodable(TestBroker broker) throws Exception {
        String body = "{\"data\": {\"type\": \"user.created\", \"type_message\": \"domain_event\", \"version\": 1, "
                + "\"attributes\": {\"user_id\": {\"nested\": true}, \"name\": \"x\"}}}";
        publishRaw(broker, body.getBytes(StandardCharsets.UTF_8));
        bus.publish(new UserCreated("u-1", "after"));

        DeadLetter letter = onlyDeadLetterAfterGoodOneHandled();
        assertEquals(DeadLetterReason.UNDECODABLE, letter.reason());
        assertTrue(letter.exceptionMessage().contains("do not map onto"), letter.exceptionMessage());
    }

    @Test
    void aNonRetryableFailureIsDeadLetteredAtOnce() {
        bus.publish(new UserCreated("u-0", "poison"));
        bus.publish(new UserCreated("u-1", "after"));

        DeadLetter letter = onlyDeadLetterAfterGoodOneHandled();
        assertEquals(DeadLetterReason.NON_RETRYABLE, letter.reason());
        assertEquals(1, letter.attempts());
        assertEquals(NonRetryableException.class.getName(), letter.exceptionClass());
    }

    @Test
    void aBodyWrittenByPetiscoIsHandled(TestBroker broker) throws Exception {
        publishRaw(broker, WireVectors.read("user_created_v1.json"));

        Await.until("petisco's user_created_v1 handled", TIMEOUT, () -> handled.contains("Alice"), handled::toString);
        assertEquals(0, bus.admin().deadLetters().count(queue));
    }

    private DeadLetter onlyDeadLetterAfterGoodOneHandled() {
        Await.until("the good message after the bad one handled", TIMEOUT, () -> handled.contains("after"), handled::toString);
        Await.until("one dead letter", TIMEOUT, () -> bus.admin().deadLetters().count(queue) == 1,
                () -> bus.admin().deadLetters().count(queue) + " dead letters");
        return bus.admin().deadLetters().peek(queue, 10).get(0);
    }

    /** Publishes as petisco does: persistent, no other property, no header. */
    private void publishRaw(TestBroker broker, byte[] body) throws Exception {
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.basicPublish(broker.convention().mainExchange(), routingKey,
                    new AMQP.BasicProperties.Builder().deliveryMode(2).build(), body);
        }
    }
}
