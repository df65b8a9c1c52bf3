package dev.eventbus.testkit;

// tag::imports[]
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.Faults;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
// end::imports[]

/**
 * The broker test of docs/testing.md, which includes the tagged regions (after editing one, run
 * {@code ./mvnw -q -pl docs test -Deventbus.docs.update=true}).
 */
// tag::test[]
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
// end::test[]
