package com.example.greeter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A broker test run by Failsafe, as docs/testing.md shows it: the testkit finds the broker and cleans up after it. */
@RabbitMqTest
class GreeterIT {

    @Test
    void greetsUsersCreatedOnTheBroker(TestBroker broker) {
        List<String> greeted = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b
                .subscribe(Subscription.of(UserCreated.class, "greet_handler", message -> greeted.add(message.payload().name()))));
        bus.admin().configure();
        bus.start();

        new Greeter(bus).create("u-1", "Alice");

        Await.until("Alice greeted", Duration.ofSeconds(10), () -> greeted.contains("Alice"), greeted::toString);
        assertEquals(List.of("Alice"), greeted);
    }
}
