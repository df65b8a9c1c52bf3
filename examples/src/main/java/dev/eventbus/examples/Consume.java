package dev.eventbus.examples;

import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.concurrent.CountDownLatch;

/** Consumes until stopped with Ctrl-C (petisco's {@code consume.py}); run {@link Configure} first. */
public final class Consume {

    private Consume() {
    }

    /** Starts the consumers and waits; Ctrl-C stops the bus gracefully. */
    public static void main(String[] args) throws InterruptedException {
        RabbitMqEventBus bus = ExampleService.bus(ExampleService.SERVICE, System.out::println);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            bus.stop();
            stopped.countDown();
        }));
        bus.start();
        System.out.println("consuming " + bus.convention().mainExchange() + "; Ctrl-C to stop");
        stopped.await();
    }
}
