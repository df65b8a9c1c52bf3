package dev.eventbus.it;

// tag::imports[]
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Event;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

// end::imports[]
/** The integration test shown in docs/testing.md, compiled and run here (the docs include the tagged regions). */
// tag::test[]
@RabbitMqTest
class DocsBusExampleIT {

    record UserCreated(String userId, String name) implements Event {
    }

    @Test
    void greetsNewUsersAndDeadLettersTheOnesItCannot(TestBroker broker) {
        List<String> greeted = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b                        // this test's names; stopped after the test
                .retryPolicy(RetryPolicy.of(2, Duration.ofMillis(100)))
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", message -> {
                    if (message.payload().name().isBlank()) {
                        throw new IllegalArgumentException("nobody to greet");
                    }
                    greeted.add(message.payload().name());
                })));
        bus.admin().configure();
        bus.start();

        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new UserCreated("u-2", " "));

        Await.received("send_mail_handler", 1, greeted, Duration.ofSeconds(10));
        String queue = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");
        DeadLetter letter = Await.deadLetter(bus, queue, DeadLetterReason.MAX_RETRIES_EXCEEDED, Duration.ofSeconds(10));
        assertEquals(3, letter.attempts());                              // the first try and two retries
        assertEquals("nobody to greet", letter.exceptionMessage());
        assertEquals(List.of("Alice"), greeted);
    }
}
// end::test[]
