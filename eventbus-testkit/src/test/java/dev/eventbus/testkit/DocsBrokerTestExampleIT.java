package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The broker test shown in docs/testing.md; keep the two in sync. */
@RabbitMqTest
class DocsBrokerTestExampleIT {

    @Test
    void queueSurvivesAConnectionCutFromTheBroker(TestBroker broker) throws Exception {
        Connection connection = broker.newConnection();              // closed after the test
        Channel channel = connection.createChannel();
        String queue = broker.convention().mainExchange() + ".inbox"; // contains the test's organization
        channel.queueDeclare(queue, true, false, false, null);       // deleted after the test
        channel.basicPublish("", queue, null, "hello".getBytes());

        Await.awaitQueueDepth(broker, queue, 1, Duration.ofSeconds(5));
        Faults.closeAndAwaitRecovery(broker, connection, Duration.ofSeconds(10));

        assertEquals(1, connection.createChannel().queueDeclarePassive(queue).getMessageCount());
    }
}
