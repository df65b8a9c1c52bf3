package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.LocalNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A retry waiting in the broker survives a broker restart (issue #17): a handler fails a message once, and while its
 * copy waits (in the service's delay queue for a ladder, in petisco's {@code retry.<queue>} for a fixed policy) the
 * node is restarted, gracefully ({@code stop_app} / {@code start_app}) or as a crash ({@code kill -9}, then a start
 * from the data it kept). The bus recovers by itself and the copy is handled on its second attempt, once, with nothing
 * dead-lettered.
 *
 * <p>On a node of its own (restarting touches nothing else): ports 5721, 25721, 15721. Each test has its own service.
 */
class RetryRestartIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Longer than the bus takes to fail the first attempt and confirm its copy, so the copy is seen waiting. */
    private static final Duration DELAY = Duration.ofSeconds(5);
    private static final String ORGANIZATION = "restart";

    private static LocalNode node;

    @BeforeAll
    static void startNode() {
        Optional<String> missing = LocalNode.unavailableReason();
        Assumptions.assumeTrue(missing.isEmpty(), () -> "no local node can be started: " + missing.orElse(""));
        node = LocalNode.builder().nodeName("eventbus-restart@localhost").amqpPort(5721)
                .distributionPort(25721).managementPort(15721).build().start(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.stop();
        }
    }

    @Test
    void aLadderRetryWaitingInItsDelayQueueSurvivesAGracefulRestart() throws Exception {
        assertRetrySurvivesRestart("ladder_graceful", QueueType.CLASSIC, RetryPolicy.ladder(DELAY, Duration.ofSeconds(30)),
                service -> Topology.delayQueue(convention(service), (int) DELAY.toMillis()), false);
    }

    @Test
    void aLadderRetryWaitingInAQuorumDelayQueueSurvivesTheNodeBeingKilled() throws Exception {
        assertRetrySurvivesRestart("ladder_killed", QueueType.QUORUM, RetryPolicy.ladder(DELAY, Duration.ofSeconds(30)),
                service -> Topology.delayQueue(convention(service), (int) DELAY.toMillis()), true);
    }

    @Test
    void aFixedRetryWaitingInPetiscosRetryQueueSurvivesTheNodeBeingKilled() throws Exception {
        assertRetrySurvivesRestart("fixed_killed", QueueType.CLASSIC, RetryPolicy.of(3, DELAY),
                service -> convention(service).retryQueue(handlerQueue(service)), true);
    }

    @Test
    void aFixedRetryWaitingInAQuorumRetryQueueSurvivesAGracefulRestart() throws Exception {
        assertRetrySurvivesRestart("fixed_graceful", QueueType.QUORUM, RetryPolicy.of(3, DELAY),
                service -> convention(service).retryQueue(handlerQueue(service)), false);
    }

    /**
     * Fails the first attempt, waits until its copy is the one message in {@code waitingQueue}, restarts the node, and
     * expects the copy to be handled once, on its second attempt, with no dead letter and the queues drained.
     *
     * <p>A graceful restart ({@code stop_app} / {@code start_app}) keeps every ack: the handler runs exactly twice. A
     * crash ({@code kill -9}, then a start from the kept data) may lose the ack of the original, which a classic queue
     * keeps in memory for a while: the broker then delivers the original again after the restart (at least once), and
     * with petisco's 5 s handler-queue TTL it would expire it into the dead letters at once (reason {@code expired}).
     * The crash runs therefore use {@code handlerQueueTtl(null)} and allow that one duplicate of the first attempt.
     */
    private static void assertRetrySurvivesRestart(String service, QueueType type, RetryPolicy policy,
                                                   Function<String, String> waitingQueue, boolean crash) throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        List<Integer> handled = new CopyOnWriteArrayList<>();
        AtomicBoolean failed = new AtomicBoolean();
        RabbitMqEventBusBuilder builder = RabbitMqEventBus.builder()
                .connection(RabbitMqConnectionSettings.fromUri(node.amqpUri()).withRecoveryInterval(Duration.ofMillis(500)))
                .connectionName("restart-it-" + service)
                .organization(ORGANIZATION).service(service)
                .queueType(type)
                .subscribe(Subscription.handling(UserCreated.class, "send_mail", (m, d) -> {
                    attempts.add(d.attempt());
                    if (d.attempt() == 1 && failed.compareAndSet(false, true)) {
                        throw new IllegalStateException("the mail server is down for the first attempt");
                    }
                    handled.add(d.attempt());
                }).withRetry(policy));
        if (crash) {
            builder.handlerQueueTtl(null);
        }
        RabbitMqEventBus bus = builder.build();
        String queue = handlerQueue(service);
        String waiting = waitingQueue.apply(service);
        try {
            bus.admin().configure();
            bus.start();
            bus.publish(new UserCreated("u-1", "Ada"));

            Await.until("the first attempt failed", TIMEOUT, () -> attempts.contains(1), attempts::toString);
            try (Connection connection = connect(); Channel channel = connection.createChannel()) {
                Await.awaitQueueDepth(channel, waiting, 1, TIMEOUT);
                assertEquals(1, channel.queueDeclarePassive(waiting).getMessageCount(),
                        "the retried copy waits in " + waiting + " before the restart");
            }
            assertEquals(List.of(1), attempts, "only the first attempt ran before the restart");

            if (crash) {
                node.kill();
                node.start(Duration.ofSeconds(120));
            } else {
                node.ctl("/").stopApp();
                node.ctl("/").startApp();
            }

            Await.until("the second attempt handled after the restart", TIMEOUT, () -> handled.contains(2),
                    () -> "attempts " + attempts);
            try (Connection connection = connect(); Channel channel = connection.createChannel()) {
                Await.awaitQueueDrained(channel, waiting, TIMEOUT);
                Await.awaitQueueDrained(channel, queue, TIMEOUT);
            }
            // the admin connection may still be recovering: an admin call then fails at once, saying so
            long deadLetters = Await.untilValue("the dead letters counted on the recovered admin connection", TIMEOUT, () -> {
                try {
                    return bus.admin().deadLetters().count(queue);
                } catch (EventBusException e) {
                    return -1L;
                }
            }, count -> count >= 0);
            assertEquals(0, deadLetters, () -> "dead letters of " + queue + ": "
                    + bus.admin().deadLetters().peek(queue, 10).stream().map(l -> l + " " + l.headers()).toList());
            assertEquals(1, handled.stream().filter(attempt -> attempt == 2).count(),
                    "the retried copy handled once, on its second attempt: " + handled);
            if (crash) {
                assertTrue(handled.size() <= 2 && handled.stream().allMatch(a -> a == 1 || a == 2),
                        "at most the retry and one redelivered original (its ack lost in the crash): " + handled);
            } else {
                assertEquals(List.of(1, 2), attempts, "the first attempt failed, the retry after the restart succeeded");
                assertEquals(List.of(2), handled, "handled once, on its second attempt");
            }
        } finally {
            bus.stop();
        }
    }

    private static Convention convention(String service) {
        return Convention.of(ORGANIZATION, service);
    }

    private static String handlerQueue(String service) {
        return convention(service).handlerQueue(MessageType.of(UserCreated.class), "send_mail");
    }

    private static Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(node.amqpUri());
        factory.setAutomaticRecoveryEnabled(false);
        return factory.newConnection("restart-it-probe");
    }
}
