package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.EventBusException;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.rabbitmq.ConnectionRecovery;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.LocalCluster;
import dev.eventbus.testkit.LocalNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A bus on a three-node RabbitMQ cluster with quorum queues, through crashes of its nodes: a stream of events is
 * published with confirms while a handler consumes them, and mid-stream {@code kill -9} ends first the node holding the
 * handler queue's leader, then the node the bus is connected to; each node is restarted and rejoins. Each scenario
 * prints published / confirmed / handled / duplicates / lost and the failover time (from the kill to the first confirm
 * and to the first handled delivery after it), and requires lost = 0, bounded duplicates, and (for the bus's own node)
 * that the bus reconnected to another of its addresses by itself.
 *
 * <p>The cluster is this machine's RabbitMQ installation run as three more nodes ({@link LocalCluster}):
 * {@code eventbus-c1..3@localhost} on AMQP ports 5711-5713, distribution ports 25711-25713, no management plugin. Skipped,
 * saying so, without a {@code rabbitmq-server}; the machine's own broker is never touched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** Between two publishes of the stream: a steady rate the two shared cores keep up with. */
    private static final long PACE_MILLIS = 4;
    private static final int PREFETCH = 20;

    private static LocalCluster cluster;

    @BeforeAll
    static void startTheCluster() {
        Optional<String> missing = LocalCluster.unavailableReason();
        Assumptions.assumeTrue(missing.isEmpty(), () -> "no local RabbitMQ cluster can be started: " + missing.orElse(""));
        // tag::cluster[]
        cluster = LocalCluster.builder().nodes(3).nodeNamePrefix("eventbus-c")   // eventbus-c1@localhost, -c2, -c3
                .amqpPort(5711).distributionPort(25711)                          // node i: 5710 + i, 25710 + i
                .build().start(Duration.ofMinutes(3));                           // started in parallel, then joined
        // end::cluster[]
        assertEquals(cluster.nodeNames(), cluster.runningNodes().stream().sorted().toList(), "a cluster of three running nodes");
    }

    @AfterAll
    static void stopTheCluster() {
        if (cluster != null) {
            cluster.close();
            assertTrue(cluster.nodes().stream().noneMatch(LocalNode::isRunning), "every node of the cluster stopped");
        }
    }

    @Test
    @Order(1)
    void killingTheNodeOfTheHandlerQueuesLeaderMidStreamLosesNothing() throws Exception {
        Scenario scenario = new Scenario("cluster: queue leader's node killed");
        String leader = scenario.declareWithLeaderElsewhereThanTheClient();
        String clientNode = scenario.clientNode;
        scenario.start();
        scenario.awaitHandled(200);

        long killedAt = System.nanoTime();
        cluster.kill(leader);
        Await.until("a new leader of " + scenario.queue, TIMEOUT,
                () -> cluster.queueLeader("/", scenario.queue).filter(node -> !node.equals(leader)).isPresent(),
                () -> "leader: " + cluster.queueLeader("/", scenario.queue));
        scenario.awaitFirstAfter(killedAt);
        scenario.awaitHandled(scenario.handled.get() + 200);
        assertEquals(clientNode, scenario.nodeOfConnection("-consumer"), "the bus stayed on its node, which did not fail");

        cluster.restart(leader, TIMEOUT);
        scenario.awaitHandled(scenario.handled.get() + 100);
        scenario.finish(killedAt, 2 * PREFETCH);
    }

    @Test
    @Order(2)
    void killingTheNodeTheBusIsConnectedToFailsOverToAnotherAddressAndLosesNothing() throws Exception {
        Scenario scenario = new Scenario("cluster: client's node killed");
        scenario.declareWithLeaderElsewhereThanTheClient();
        String clientNode = scenario.clientNode;
        scenario.start();
        scenario.awaitHandled(200);
        assertEquals(clientNode, scenario.nodeOfConnection("-publisher"), "the bus publishes through its first address");
        assertEquals(clientNode, scenario.nodeOfConnection("-consumer"), "the bus consumes through its first address");

        long killedAt = System.nanoTime();
        cluster.kill(clientNode);
        scenario.awaitFirstAfter(killedAt);
        Await.until("both connections recovered", TIMEOUT, () -> scenario.recoveries.size() >= 2,
                () -> scenario.recoveries.toString());
        scenario.awaitHandled(scenario.handled.get() + 200);
        String publisherNode = scenario.nodeOfConnection("-publisher");
        String consumerNode = scenario.nodeOfConnection("-consumer");
        assertNotEquals(clientNode, publisherNode, "the publisher connection moved to another address");
        assertNotEquals(clientNode, consumerNode, "the consumer connection moved to another address");
        assertTrue(cluster.nodeNames().contains(publisherNode) && cluster.nodeNames().contains(consumerNode),
                "on nodes of the cluster: " + publisherNode + ", " + consumerNode);

        cluster.restart(clientNode, TIMEOUT);
        scenario.awaitHandled(scenario.handled.get() + 100);
        scenario.finish(killedAt, 2 * PREFETCH);
    }

    @Test
    @Order(3)
    void killingTheLeadersNodeThenTheBussNodeThenRestartingBothLosesNothingConfirmed() throws Exception {
        Scenario scenario = new Scenario("cluster: leader's then client's node");
        String leader = scenario.declareWithLeaderElsewhereThanTheClient();
        String clientNode = scenario.clientNode;
        scenario.start();
        scenario.awaitHandled(200);

        cluster.kill(leader);
        scenario.awaitHandled(scenario.handled.get() + 100);
        long killedAt = System.nanoTime();
        cluster.kill(clientNode); // one node of three left: the queue has no quorum until a node is back
        String lastNode = cluster.nodeNames().stream().filter(node -> !node.equals(leader) && !node.equals(clientNode))
                .findFirst().orElseThrow();
        Await.until("the publisher connection recovered to the node left", TIMEOUT,
                () -> scenario.recoveries.stream().anyMatch(r -> r.connectionName().endsWith("-publisher")),
                () -> scenario.recoveries.toString());
        assertEquals(lastNode, scenario.nodeOfConnection("-publisher"), "the publisher failed over to the node left");

        cluster.restart(leader, TIMEOUT); // the quorum is back: the consumer's recovery can subscribe again
        cluster.restart(clientNode, TIMEOUT);
        scenario.awaitFirstAfter(killedAt);
        Await.until("the consumer connection recovered", TIMEOUT,
                () -> scenario.recoveries.stream().anyMatch(r -> r.connectionName().endsWith("-consumer")),
                () -> scenario.recoveries.toString());
        assertNotEquals(clientNode, scenario.nodeOfConnection("-consumer"), "the consumer failed over to another address");
        scenario.awaitHandled(scenario.handled.get() + 200);
        scenario.finish(killedAt, 200);
    }

    /** One bus publishing a steady stream to itself through a quorum handler queue, tallied. */
    private static final class Scenario {

        final Tally tally;
        final String name;
        final String organization = "cluster" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String queue;
        final AtomicInteger handled = new AtomicInteger();
        final List<ConnectionRecovery> recoveries = new CopyOnWriteArrayList<>();
        private final ConcurrentLinkedQueue<Long> confirmTimes = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Long> handledTimes = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean publishing = new AtomicBoolean(true);
        private final AtomicLong sequence = new AtomicLong();
        private String clientNode;
        private RabbitMqEventBus bus;
        private Thread publisher;

        Scenario(String name) {
            this.tally = new Tally(name);
            this.name = name;
        }

        /**
         * Declares the topology through one node and picks another as the bus's first address, so that a quorum queue
         * leader and the bus's connections start on different nodes.
         */
        String declareWithLeaderElsewhereThanTheClient() {
            RabbitMqEventBus declaring = build(cluster.amqpUri(cluster.nodeNames().get(1)), builder -> { });
            queue = declaring.convention().handlerQueue(MessageType.of(OrderPlaced.class), "fulfil");
            try {
                declaring.admin().configure();
            } finally {
                declaring.stop();
            }
            String leader = cluster.queueLeader("/", queue).orElseThrow(() -> new AssertionError("no leader for " + queue));
            clientNode = cluster.nodeNames().stream().filter(node -> !node.equals(leader)).findFirst().orElseThrow();
            return leader;
        }

        void start() {
            List<String> order = new ArrayList<>(List.of(clientNode));
            cluster.nodeNames().stream().filter(node -> !node.equals(clientNode)).forEach(order::add);
            // every node's address, the one to use first in front: the client fails over to the next by itself
            String uri = "amqp://guest:guest@" + order.stream().map(node -> "127.0.0.1:" + cluster.node(node).amqpPort())
                    .collect(Collectors.joining(",")) + "/%2F";
            bus = build(uri, builder -> builder.shuffleAddresses(false).onConnectionRecovery(recoveries::add));
            bus.start();
            publisher = new Thread(this::publishUntilStopped, "cluster-publisher-" + organization);
            publisher.start();
        }

        private RabbitMqEventBus build(String uri, Consumer<RabbitMqEventBusBuilder> customize) {
            // tag::quorum[]
            RabbitMqEventBusBuilder builder = RabbitMqEventBus.builder()
                    .uri(uri)                               // amqp://guest:guest@host1:5711,host2:5712,host3:5713/%2F
                    .queueType(QueueType.QUORUM)            // handler, retry and dead-letter queues replicated
                    .handlerQueueTtl(null)                  // a Java fleet: nothing expires while a node fails over
                    // end::quorum[]
                    .organization(organization).service("orders").connectionName(organization)
                    .prefetch(PREFETCH).consumerThreads(2).publishTimeout(Duration.ofSeconds(20))
                    .subscribe(Subscription.of(OrderPlaced.class, "fulfil", message -> {
                        tally.handled(message.payload().orderId());
                        handledTimes.add(System.nanoTime());
                        handled.incrementAndGet();
                    }));
            customize.accept(builder);
            return builder.build();
        }

        private void publishUntilStopped() {
            while (publishing.get()) {
                String id = organization + "-" + sequence.getAndIncrement();
                tally.published();
                try {
                    bus.publish(new OrderPlaced(id, 1));
                    tally.confirmed(id);
                    confirmTimes.add(System.nanoTime());
                } catch (EventBusException e) {
                    tally.publishFailed(e);
                }
                try {
                    Thread.sleep(PACE_MILLIS); // the stream's pace, not a synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        void awaitHandled(int count) {
            Await.until(count + " handled", TIMEOUT, () -> handled.get() >= count, tally::line);
        }

        void awaitFirstAfter(long killedAt) {
            Await.until("a confirm and a handled delivery after the kill", TIMEOUT,
                    () -> first(confirmTimes, killedAt).isPresent() && first(handledTimes, killedAt).isPresent(), tally::line);
        }

        String nodeOfConnection(String suffix) {
            Map<String, String> nodes = cluster.connectionNodes("/");
            String node = nodes.get(organization + suffix);
            assertTrue(node != null, () -> "connection " + organization + suffix + " among " + nodes);
            return node;
        }

        /** Stops publishing, waits until every confirmed event is handled, prints the line and the failover times. */
        void finish(long killedAt, int maxDuplicates) throws InterruptedException {
            publishing.set(false);
            publisher.join(TIMEOUT.toMillis());
            assertFalse(publisher.isAlive(), "the publisher stopped");
            try {
                Await.until("every confirmed event handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
            } finally {
                bus.stop();
            }
            long confirm = first(confirmTimes, killedAt).orElseThrow() - killedAt;
            long delivery = first(handledTimes, killedAt).orElseThrow() - killedAt;
            System.out.printf("failover %-34s first confirm after the kill %5d ms  first handled %5d ms  longest pause in "
                            + "confirms %5d ms, in deliveries %5d ms  recoveries %s%n",
                    name, confirm / 1_000_000, delivery / 1_000_000, longestPause(confirmTimes, killedAt) / 1_000_000,
                    longestPause(handledTimes, killedAt) / 1_000_000,
                    recoveries.stream().map(r -> r.connectionName() + " in " + r.took().toMillis() + " ms").toList());
            tally.report(maxDuplicates);
            cluster.awaitAllRunning(TIMEOUT);
        }

        /**
         * The longest time without a confirm (or delivery) from the last one before the kill through the minute after
         * it: the outage as the stream saw it, wherever in that minute the cluster took it.
         */
        private static long longestPause(ConcurrentLinkedQueue<Long> times, long killedAt) {
            long windowEnd = killedAt + Duration.ofMinutes(1).toNanos();
            List<Long> sorted = times.stream().sorted().toList();
            long longest = 0;
            for (int i = 1; i < sorted.size(); i++) {
                if (sorted.get(i) > killedAt && sorted.get(i - 1) < windowEnd) {
                    longest = Math.max(longest, sorted.get(i) - sorted.get(i - 1));
                }
            }
            return longest;
        }

        private static Optional<Long> first(ConcurrentLinkedQueue<Long> times, long after) {
            return times.stream().filter(time -> time > after).min(Long::compare);
        }
    }
}
