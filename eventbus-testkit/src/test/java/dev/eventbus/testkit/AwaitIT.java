package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@RabbitMqTest
class AwaitIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void waitsForAQueueToFillAndDrain(TestBroker broker) throws Exception {
        String queue = broker.convention().mainExchange() + ".depth";
        Channel channel = broker.newConnection().createChannel();
        channel.queueDeclare(queue, false, false, false, null);
        for (int i = 0; i < 3; i++) {
            channel.basicPublish("", queue, null, new byte[]{(byte) i});
        }

        Await.awaitQueueDepth(broker, queue, 3, TIMEOUT);
        Await.awaitQueueDepth(channel, queue, 3, TIMEOUT);
        channel.queuePurge(queue);
        Await.awaitQueueDrained(broker, queue, TIMEOUT);
        Await.awaitQueueDrained(channel, queue, TIMEOUT);
    }

    @Test
    void failsWithTheObservedDepthOnTimeout(TestBroker broker) throws Exception {
        String queue = broker.convention().mainExchange() + ".stuck";
        Channel channel = broker.newConnection().createChannel();
        channel.queueDeclare(queue, false, false, false, null);
        channel.basicPublish("", queue, null, new byte[0]);

        AssertionError failure = assertThrows(AssertionError.class,
                () -> Await.awaitQueueDrained(broker, queue, Duration.ofMillis(300)));

        assertTrue(failure.getMessage().equals("expected queue '" + queue + "' to hold 0 ready message(s) within PT0.3S; "
                + "observed: queue '" + queue + "' holds 1 ready message(s)"), failure.getMessage());
    }

    @Test
    void saysAtOnceThatAQueueDoesNotExist(TestBroker broker) throws Exception {
        String queue = broker.convention().mainExchange() + ".missing";
        Channel channel = broker.newConnection().createChannel();

        AssertionError failure = assertThrows(AssertionError.class, () -> Await.awaitQueueDepth(channel, queue, 1, TIMEOUT));

        assertTrue(failure.getMessage().startsWith("expected queue '" + queue + "' to exist; observed: "), failure.getMessage());
        assertTrue(failure.getMessage().contains("NOT_FOUND"), failure.getMessage());
    }
}
