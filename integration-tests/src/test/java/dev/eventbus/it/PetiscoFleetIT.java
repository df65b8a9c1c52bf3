package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import dev.eventbus.core.Convention;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A Java service dropped into a petisco fleet with no settings beyond organization and service: it declares the same
 * topology as petisco's configurer in either order, and every message it sends towards a petisco consumer can be
 * retried and dead-lettered by that consumer, never lost.
 */
@RabbitMqTest
class PetiscoFleetIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void petiscoDeclaresFirstThenTheJavaServiceWithDefaults(TestBroker vhost) throws Exception {
        TestBroker broker = vhost.withOwnVirtualHost(); // the store queues are vhost-wide and name one organization
        try (Connection connection = broker.newConnection();
             PetiscoService petisco = new PetiscoService(connection, broker.organization(), broker.service())) {
            RabbitMqEventBus bus = javaService(broker);
            petisco.declareHandler(routingKey(bus), "send_mail_handler");
            petisco.declareStore();
            bus.admin().configure(); // throws TopologyConflictException on any differing argument
        }
    }

    @Test
    void theJavaServiceDeclaresFirstThenPetisco(TestBroker vhost) throws Exception {
        TestBroker broker = vhost.withOwnVirtualHost();
        try (Connection connection = broker.newConnection();
             PetiscoService petisco = new PetiscoService(connection, broker.organization(), broker.service())) {
            RabbitMqEventBus bus = javaService(broker);
            bus.admin().configure();
            petisco.declareHandler(routingKey(bus), "send_mail_handler"); // a differing argument closes the channel
            petisco.declareStore();
            assertEquals(broker.organization() + "." + broker.service() + ".1.event.user_created", routingKey(bus));
        }
    }

    @Test
    void everySendingApiReachesAPetiscoConsumerThatRetriesAndDeadLettersWithoutLoss(TestBroker broker) throws Exception {
        RabbitMqEventBus bus = broker.bus(b -> b); // publishes only: organization and service, nothing else
        String routingKey = routingKey(bus);
        String queue = routingKey + ".send_mail_handler";
        try (Connection connection = broker.newConnection();
             PetiscoService petisco = new PetiscoService(connection, broker.organization(), broker.service())) {
            petisco.declareHandler(routingKey, "send_mail_handler");
            petisco.consume(queue, "send_mail_handler", 1, data -> true); // always fails: one retry, then dead letter

            bus.publish(new UserCreated("u-1", "publish"));
            bus.publish(List.of(new UserCreated("u-2", "list"), new UserCreated("u-3", "list")));
            bus.admin().deliverTo(queue, bus.codec().encode(Message.of(new UserCreated("u-4", "deliverTo"))));
            bus.admin().deliverTo(queue, List.of(bus.codec().encode(Message.of(new UserCreated("u-5", "deliverTo list")))));

            List<DeadLetter> letters = awaitDeadLetters(bus, queue, 5);
            assertEquals(0, petisco.unparsable(), "petisco could not parse what the library sent");
            for (DeadLetter letter : letters) {
                assertEquals(DeadLetterReason.MAX_RETRIES_EXCEEDED, letter.reason(), letter.toString());
                assertEquals(2, letter.attempts(), "petisco's redelivery_count read as the attempts: " + letter);
                assertEquals(routingKey, letter.routingKey(), "the original routing key, not petisco's retry key");
                assertTrue(letter.exceptionMessage().contains("petisco"), letter.exceptionMessage());
                assertTrue(letter.deadLetteredAt() != null, "the time of petisco's last retry: " + letter);
            }
            assertEquals(5, petisco.attempts().size(), petisco.attempts().toString());
            petisco.attempts().values().forEach(count -> assertEquals(2, count.get(), petisco.attempts().toString()));

            // reprocessed dead letters are first attempts again, and petisco can retry them too
            assertEquals(5, bus.admin().deadLetters().reprocess(queue, 10));
            Await.until("every reprocessed letter retried and dead-lettered again", TIMEOUT,
                    () -> petisco.attempts().values().stream().allMatch(count -> count.get() == 4),
                    () -> petisco.attempts().toString());
            awaitDeadLetters(bus, queue, 5);
            assertTrue(petisco.retryKeys().stream().allMatch(key -> key.equals("retry." + queue)),
                    () -> "petisco retried under a key nothing is bound to: " + petisco.retryKeys());
            assertEquals(10, petisco.retryKeys().size(), petisco.retryKeys().toString());
        }
    }

    @Test
    void aJavaHandlerRetriesWhatPetiscoPublishedAndAPetiscoConsumerOfTheSameQueueCanRetryItsCopies(TestBroker broker)
            throws Exception {
        AtomicInteger javaAttempts = new AtomicInteger();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> {
            if (javaAttempts.incrementAndGet() == 1) {
                throw new IllegalStateException("first attempt fails");
            }
        })));
        bus.admin().configure();
        bus.start();
        bus.publish(new UserCreated("u-1", "Alice"));
        Await.until("handled on its retry", TIMEOUT, () -> javaAttempts.get() == 2, javaAttempts::toString);
        String queue = routingKey(bus) + ".send_mail_handler";
        assertEquals(0, bus.admin().deadLetters().count(queue));
    }

    private static RabbitMqEventBus javaService(TestBroker broker) {
        return broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "send_mail_handler", m -> { }),
                Subscription.store("event_store", m -> { })));
    }

    private static String routingKey(RabbitMqEventBus bus) {
        Convention convention = bus.convention();
        return convention.routingKey(MessageType.of(UserCreated.class));
    }

    private static List<DeadLetter> awaitDeadLetters(RabbitMqEventBus bus, String queue, int count) {
        return Await.untilValue(count + " dead letters in dead_letter." + queue, TIMEOUT,
                () -> bus.admin().deadLetters().peek(queue, count + 1), letters -> letters.size() == count);
    }

}
