package dev.eventbus.examples;

import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.List;
import java.util.UUID;

/** Publishes UserCreated events (petisco's {@code publish.py}); run {@link Configure} first. */
public final class Publish {

    private static final List<String> NAMES = List.of("Alice", "Bob", "Rita", "Mallory", "");

    private Publish() {
    }

    /** Publishes {@code args[0]} events (default 5), cycling through names that succeed, retry, dead-letter. */
    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : NAMES.size();
        try (RabbitMqEventBus bus = ExampleService.bus(ExampleService.SERVICE, System.out::println)) {
            for (int i = 0; i < count; i++) {
                UserCreated event = new UserCreated(UUID.randomUUID().toString(), NAMES.get(i % NAMES.size()));
                bus.publish(event);
                System.out.println("published user.created for '" + event.name() + "' (confirmed by the broker)");
            }
        }
    }
}
