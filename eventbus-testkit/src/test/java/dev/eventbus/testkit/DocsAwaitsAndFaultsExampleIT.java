package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The awaits and faults of docs/testing.md, run on the test broker (the docs include the tagged regions; after
 * editing one, run {@code ./mvnw -q -pl docs test -Deventbus.docs.update=true}). The faults cut only this test's
 * own connections.
 */
@RabbitMqTest
class DocsAwaitsAndFaultsExampleIT {

    /** A mailer of the tests, that has sent three mails. */
    static final class Mailer {
        int sent() {
            return 3;
        }
    }

    @Test
    void awaitsConditionsValuesAndQueueDepths(TestBroker broker) throws Exception {
        Mailer mailer = new Mailer();
        AtomicInteger handled = new AtomicInteger(2);
        String queue = broker.convention().mainExchange() + ".inbox";
        Channel channel = broker.newConnection().createChannel();
        channel.queueDeclare(queue, true, false, false, null);
        for (int i = 0; i < 3; i++) {
            channel.basicPublish("", queue, null, new byte[0]);
        }
        // tag::awaits[]
        Await.until("3 mails sent", Duration.ofSeconds(5), () -> mailer.sent() == 3, () -> mailer.sent() + " sent");
        int count = Await.untilValue("2 handled", Duration.ofSeconds(5), handled::get, n -> n == 2);
        Await.awaitQueueDepth(broker, queue, 3, Duration.ofSeconds(5));   // or (channel, queue, 3, timeout)
        // end::awaits[]
        assertEquals(2, count);
        channel.queuePurge(queue);
        // tag::drained[]
        Await.awaitQueueDrained(broker, queue, Duration.ofSeconds(5));    // or (channel, queue, timeout)
        // end::drained[]
        AssertionError timedOut = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> Await.until("3 mails sent", Duration.ofMillis(50), () -> false, () -> "1 sent"));
        assertEquals("expected 3 mails sent within PT0.05S; observed: 1 sent", timedOut.getMessage());
    }

    @Test
    void cutsThisTestsConnectionsAndAwaitsTheirRecovery(TestBroker broker) throws Exception {
        Connection connection = broker.newConnection();
        Connection busConnection = broker.newConnection(broker.busConnectionNamePrefix() + "1-publisher");   // as a bus names it
        // tag::faults[]
        Faults.closeAndAwaitRecovery(broker, connection, Duration.ofSeconds(10)); // one named connection

        try (RecoveryWatch watch = Faults.watchRecovery(busConnection)) {         // watch before cutting
            Faults.closeConnectionsNamed(broker, broker.busConnectionNamePrefix()); // client-provided name prefix
            watch.awaitRecovered(Duration.ofSeconds(10));
        }
        // end::faults[]
        assertTrue(connection.isOpen() && busConnection.isOpen(), "both recovered");
    }
}
