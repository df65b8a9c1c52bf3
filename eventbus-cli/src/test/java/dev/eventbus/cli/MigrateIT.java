package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.Message;
import dev.eventbus.rabbitmq.QueueMigration;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queue migration ({@link QueueMigration} and {@code eventbus migrate}) on the local broker, with messages waiting:
 * every message is in the new queues afterwards, also when the migration died mid-way and ran again.
 */
@RabbitMqTest
class MigrateIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MESSAGES = 450;

    private static String queue(TestBroker broker) {
        return broker.organization() + ".cli.1.event.user_created.send_mail_handler";
    }

    /** Configures the classic plan and publishes messages that wait in the handler queue; returns their ids. */
    private static Set<String> waitingMessages(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> new TestPlans.OneHandler().configure(b).organization(broker.organization()));
        bus.admin().configure();
        List<Message<?>> messages = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            messages.add(Message.of(new TestPlans.UserCreated("u-" + i, "user " + i, List.of("t" + i))));
        }
        bus.publish(messages);
        Await.awaitQueueDepth(broker, queue(broker), MESSAGES, TIMEOUT);
        Set<String> ids = new HashSet<>();
        messages.forEach(m -> ids.add(m.id()));
        return ids;
    }

    /** Takes every message of a queue; returns their ids. */
    private static List<String> drain(Channel channel, String queue) throws IOException {
        List<String> ids = new ArrayList<>();
        GetResponse response;
        while ((response = channel.basicGet(queue, true)) != null) {
            JsonNode data = Output.JSON.readTree(response.getBody()).get("data");
            ids.add(data.get("id").asText());
        }
        return ids;
    }

    private static boolean hasArguments(Connection connection, String queue, Map<String, Object> arguments) {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, arguments);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean exists(Connection connection, String queue) {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclarePassive(queue);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void migrateMovesWaitingMessagesToQuorumQueuesWithTheNewRetryDelay(TestBroker broker) throws Exception {
        Set<String> published = waitingMessages(broker);

        Cli.Run run = Cli.run(Cli.args("migrate", broker.uri(), broker.organization(), TestPlans.OneHandlerQuorum.class,
                "--progress", "lines"));
        assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
        assertTrue(run.out().contains("migrated  " + queue(broker) + " (" + MESSAGES + " messages moved)"), run.toString());
        assertTrue(run.out().contains("3 queues migrated"), run.toString());
        assertTrue(run.err().contains("moving " + queue(broker) + " -> migrating." + queue(broker) + "\n"), run.err());
        assertTrue(run.err().contains("] " + MESSAGES + "/" + MESSAGES + " 100% moved "), "a progress line per leg: " + run.err());

        Topology quorum;
        try (RabbitMqEventBus plan = broker.bus(b -> new TestPlans.OneHandlerQuorum().configure(b).organization(broker.organization()))) {
            quorum = plan.admin().topology();
        }
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            for (Topology.Queue queue : quorum.queues()) {
                assertTrue(hasArguments(connection, queue.name(), queue.arguments()), queue.name() + " has " + queue.arguments());
                assertFalse(exists(connection, QueueMigration.PARKING_PREFIX + queue.name()), "the parking queue is deleted");
            }
            assertEquals(Map.of("x-queue-type", "quorum", "x-message-ttl", 10000),
                    Map.of("x-queue-type", quorum.queue("retry." + queue(broker)).orElseThrow().arguments().get("x-queue-type"),
                            "x-message-ttl", quorum.queue("retry." + queue(broker)).orElseThrow().arguments().get("x-message-ttl")));
            List<String> moved = drain(channel, queue(broker));
            assertEquals(published, new HashSet<>(moved), "every message is in the new handler queue");
            assertEquals(MESSAGES, moved.size(), "each once: nothing was moved twice without a failure");
        }

        Cli.Run again = Cli.run(Cli.args("migrate", broker.uri(), broker.organization(), TestPlans.OneHandlerQuorum.class));
        assertEquals(ExitCodes.OK, again.exitCode(), again.toString());
        assertTrue(again.out().contains("unchanged " + queue(broker)), again.toString());
        assertTrue(again.out().contains("0 queues migrated"), again.toString());
    }

    @Test
    void quorumQueuesMoveBackToClassicWithTheirMessages(TestBroker broker) throws Exception {
        Set<String> published = waitingMessages(broker);
        assertEquals(ExitCodes.OK, Cli.run(Cli.args("migrate", broker.uri(), broker.organization(),
                TestPlans.OneHandlerQuorum.class)).exitCode());
        // quorum queues refuse the broker's if-empty delete: the way back deletes them once seen empty
        Cli.Run back = Cli.run(Cli.args("migrate", broker.uri(), broker.organization(), TestPlans.OneHandler.class));
        assertEquals(ExitCodes.OK, back.exitCode(), back.toString());
        assertTrue(back.out().contains("3 queues migrated"), back.toString());
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            assertTrue(hasArguments(connection, queue(broker), Map.of("x-dead-letter-exchange", "dead_letter." + broker.organization()
                    + ".cli", "x-dead-letter-routing-key", "dead_letter." + queue(broker))), "classic again");
            assertEquals(published, new HashSet<>(drain(channel, queue(broker))));
        }
    }

    @Test
    void aMigrationThatDiesMidWayResumesWhenRunAgainAndLosesNothing(TestBroker broker) throws Exception {
        Set<String> published = waitingMessages(broker);
        Topology quorum;
        try (RabbitMqEventBus plan = broker.bus(b -> new TestPlans.OneHandlerQuorum().configure(b).organization(broker.organization()))) {
            quorum = plan.admin().topology();
        }
        Connection dying = broker.newConnection();
        List<Long> seen = new ArrayList<>();
        QueueMigration first = QueueMigration.on(dying).listener((from, to, moved, total) -> {
            seen.add(moved);
            dying.abort(); // the process dies after the first batch
        });
        assertThrows(EventBusException.class, () -> first.migrate(quorum, q -> q.name().equals(queue(broker))));
        assertEquals(1, seen.size(), "it died after one batch");

        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            long parked = channel.queueDeclarePassive(QueueMigration.PARKING_PREFIX + queue(broker)).getMessageCount();
            long left = channel.queueDeclarePassive(queue(broker)).getMessageCount();
            assertTrue(parked > 0 && left > 0 && parked + left >= MESSAGES,
                    "half-way: " + parked + " parked, " + left + " in the old queue, of " + MESSAGES);

            List<QueueMigration.Result> results = QueueMigration.on(connection).migrate(quorum, q -> q.name().equals(queue(broker)));
            assertEquals(List.of(QueueMigration.Outcome.MIGRATED), results.stream().map(QueueMigration.Result::outcome).toList());
            assertTrue(hasArguments(connection, queue(broker), quorum.queue(queue(broker)).orElseThrow().arguments()));
            assertFalse(exists(connection, QueueMigration.PARKING_PREFIX + queue(broker)));
            assertEquals(published, new HashSet<>(drain(channel, queue(broker))), "every message made it, none lost");
        }
    }

    @Test
    void aQueueWithAConsumerIsNotMigrated(TestBroker broker) {
        RabbitMqEventBus running = broker.bus(b -> new TestPlans.OneHandler().configure(b).organization(broker.organization()));
        running.admin().configure();
        running.start();
        Cli.Run run = Cli.run(Cli.args("migrate", broker.uri(), broker.organization(), TestPlans.OneHandlerQuorum.class,
                "--handler", TestPlans.HANDLER));
        assertEquals(ExitCodes.REFUSED, run.exitCode(), run.toString());
        assertTrue(run.err().contains("queue " + queue(broker) + " has 1 consumer(s): stop the service or pause its handler"),
                run.toString());
    }

    @Test
    void anUnknownHandlerIsAConfigurationError(TestBroker broker) {
        Cli.Run run = Cli.run(Cli.args("migrate", broker.uri(), broker.organization(), TestPlans.OneHandlerQuorum.class,
                "--handler", "nobody"));
        assertEquals(ExitCodes.CONFIGURATION, run.exitCode(), run.toString());
        assertTrue(run.err().contains("has no queue of handler nobody: its handlers are [send_mail_handler]"), run.toString());
    }
}
