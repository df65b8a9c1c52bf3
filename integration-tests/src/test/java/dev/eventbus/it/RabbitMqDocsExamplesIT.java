package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Delivery;
import dev.eventbus.core.Event;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The code of docs/rabbitmq.md, docs/retries.md, docs/reliability.md and docs/topology.md, run on the test broker
 * (the docs include the regions between the {@code tag::} and {@code end::} markers; after editing one, run
 * {@code ./mvnw -q -pl docs test -Deventbus.docs.update=true}).
 */
@RabbitMqTest
class RabbitMqDocsExamplesIT {

    private static final Logger log = LoggerFactory.getLogger(RabbitMqDocsExamplesIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    record UserCreated(String userId, String name) implements Event {
    }

    @Test
    void aHealthyBusHasEveryHandlerConsuming(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "send_mail_handler", message -> { })));
        bus.admin().configure();
        bus.start();

        // tag::health[]
        boolean healthy = bus.health().healthy();   // its connections are up and every handler consumes (or is paused)
        // end::health[]

        assertTrue(healthy, "health: " + bus.health().problems());
    }

    @Test
    void aHandlerSeesItsAttempt(TestBroker broker) {
        List<String> seen = new CopyOnWriteArrayList<>();
        MessageHandler<UserCreated> handler = message -> {
            // tag::delivery[]
            Delivery delivery = Delivery.current().orElseThrow();
            log.info("{} attempt {} of {} (redelivered: {})", delivery.handler(), delivery.attempt(), delivery.routingKey(),
                    delivery.redelivered());
            // end::delivery[]
            seen.add(delivery.handler() + " " + delivery.attempt());
            if (delivery.attempt() == 1) {
                throw new IllegalStateException("the first attempt fails");
            }
        };
        RabbitMqEventBus bus = broker.bus(b -> b.retryPolicy(RetryPolicy.of(2, Duration.ofMillis(100)))
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", handler)));
        bus.admin().configure();
        bus.start();

        bus.publish(new UserCreated("u-1", "Alice"));

        Await.until("the second attempt", TIMEOUT, () -> seen.size() == 2, seen::toString);
        assertEquals(List.of("send_mail_handler 1", "send_mail_handler 2"), seen);
    }

    @Test
    void deadLettersAreReadAndReprocessed(TestBroker broker) {
        AtomicBoolean fixed = new AtomicBoolean();
        List<String> greeted = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "send_mail_handler", message -> {
            if (!fixed.get()) {
                throw new NonRetryableException("the mail server refuses " + message.payload().userId());
            }
            greeted.add(message.payload().name());
        })));
        bus.admin().configure();
        bus.start();
        bus.publish(new UserCreated("u-1", "Alice"));
        Await.deadLetter(bus, bus.convention().handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler"),
                DeadLetterReason.NON_RETRYABLE, TIMEOUT);
        fixed.set(true);

        // tag::dead-letters[]
        String queue = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");
        List<DeadLetter> letters = bus.admin().deadLetters().peek(queue, 10);   // left in the queue
        int sent = bus.admin().deadLetters().reprocess(queue, 100);              // back to send_mail_handler only, counter reset
        // end::dead-letters[]

        assertEquals(1, letters.size(), "dead letters: " + letters);
        assertEquals(1, sent);
        Await.until("Alice greeted after reprocessing", TIMEOUT, () -> greeted.contains("Alice"), greeted::toString);
        assertEquals(0, bus.admin().deadLetters().count(queue));
    }

    @Test
    void aSubscriptionFromAnotherServiceBindsToItsExchange(TestBroker broker) {
        MessageHandler<UserCreated> handler = message -> { };
        // tag::from[]
        // in service "mailer": the UserCreated events that service "accounts" publishes
        Subscription welcome = Subscription.of(UserCreated.class, "welcome", handler).from("accounts");
        // end::from[]
        RabbitMqEventBus mailer = broker.bus(b -> b.service("mailer").subscribe(welcome));

        Topology topology = mailer.admin().topology();

        String queue = broker.organization() + ".mailer.1.event.user_created.welcome";
        assertTrue(topology.bindings().contains(new Topology.Binding(broker.organization() + ".accounts", queue,
                broker.organization() + ".accounts.1.event.user_created")), "bindings: " + topology.bindings());
    }
}
