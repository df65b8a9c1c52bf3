package dev.eventbus.examples;

import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;

/** Declares the exchanges, queues and bindings of the example service (petisco's {@code configure.py}). */
public final class Configure {

    private Configure() {
    }

    /** Declares, prints what was declared, and exits. */
    public static void main(String[] args) {
        try (RabbitMqEventBus bus = ExampleService.bus(ExampleService.SERVICE, System.out::println)) {
            bus.admin().configure();
            Topology topology = bus.admin().topology();
            System.out.println("declared on " + bus.convention().mainExchange() + ":");
            topology.exchanges().forEach(e -> System.out.println("  exchange " + e.name()));
            topology.queues().forEach(q -> System.out.println("  queue    " + q.name() + " " + q.arguments()));
            topology.bindings().forEach(b -> System.out.println("  binding  " + b.exchange() + " -> " + b.queue()
                    + " [" + b.routingKey() + "]"));
        }
    }
}
