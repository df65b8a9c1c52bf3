package com.example.greeter;

import dev.eventbus.core.EventBus;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.schema.JsonSchemaValidator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small service on every published eventbus module: it publishes {@link UserCreated} through an {@link EventBus}
 * and greets the users it hears of. {@link #main} runs it on the in-memory bus, with the schemas of the classpath
 * checked on publish and consume, and names the RabbitMQ topology it would declare.
 */
public final class Greeter {

    private final EventBus bus;

    public Greeter(EventBus bus) {
        this.bus = bus;
    }

    /** Publishes that a user was created. */
    public void create(String userId, String name) {
        bus.publish(new UserCreated(userId, name));
    }

    public static void main(String[] args) {
        List<String> greeted = new CopyOnWriteArrayList<>();
        InMemoryEventBus bus = InMemoryEventBus.builder()
                .validator(JsonSchemaValidator.fromClasspath())
                .subscribe(Subscription.of(UserCreated.class, "greet_handler", message -> greeted.add(message.payload().name())))
                .build();
        bus.start();
        new Greeter(bus).create("u-1", "Alice");
        if (!bus.awaitIdle(Duration.ofSeconds(10)) || !greeted.equals(List.of("Alice"))) {
            throw new IllegalStateException("expected Alice greeted; greeted: " + greeted + ", dead letters: " + bus.deadLetters());
        }
        bus.stop();

        RabbitMqEventBus rabbit = RabbitMqEventBus.builder().organization("example").service("greeter")
                .subscribe(Subscription.of(UserCreated.class, "greet_handler", message -> { }))
                .build();
        String queue = rabbit.admin().topology().queues().get(0).name();
        rabbit.stop();
        System.out.println("greeter ok: greeted " + greeted + "; on RabbitMQ it would consume " + queue);
    }
}
