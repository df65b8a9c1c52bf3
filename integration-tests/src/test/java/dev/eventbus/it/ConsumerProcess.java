package dev.eventbus.it;

import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.concurrent.CountDownLatch;

/**
 * A consumer in a JVM of its own, for the test that kills one with SIGKILL in the middle of a handler.
 * Arguments: AMQP URI, organization, service, handler name, milliseconds each message takes. Prints
 * {@code handling <id>} when a handler starts and {@code handled <id>} when it returns.
 */
public final class ConsumerProcess {

    private ConsumerProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        long millis = Long.parseLong(args[4]);
        RabbitMqEventBus bus = RabbitMqEventBus.builder().uri(args[0]).organization(args[1]).service(args[2])
                .connectionName("killed-consumer")
                .prefetch(20)
                .consumerThreads(2)
                .subscribe(Subscription.of(Events.OrderPlaced.class, args[3], message -> {
                    System.out.println("handling " + message.payload().orderId());
                    Thread.sleep(millis);
                    System.out.println("handled " + message.payload().orderId());
                }))
                .build();
        bus.start();
        System.out.println("started");
        new CountDownLatch(1).await();
    }
}
