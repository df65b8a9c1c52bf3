package dev.eventbus.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A RabbitMQ cluster that a test started and will stop: several nodes joined into one cluster, each of which a test
 * can kill as a crash would and restart, and whose state (running nodes, queue leaders, where clients are connected)
 * it can read. Two implementations: {@link LocalCluster}, nodes of this machine's RabbitMQ installation, and
 * {@link ContainerCluster}, containers started with Testcontainers where Docker runs.
 *
 * <pre>{@code
 * try (RabbitMqCluster cluster = LocalCluster.builder().nodes(3).build().start(Duration.ofMinutes(3))) {
 *     RabbitMqEventBus bus = RabbitMqEventBus.builder().uri(cluster.amqpUri())...   // every node's address
 *     cluster.kill(cluster.queueLeader("/", queue).orElseThrow());                   // kill -9
 *     cluster.restart(node, Duration.ofMinutes(1));                                  // back in the cluster
 * }   // every node stopped, its data deleted
 * }</pre>
 *
 * <p>Implementations are thread-safe; the methods that start, kill or restart nodes block until done.
 */
public interface RabbitMqCluster extends AutoCloseable {

    /** The names of the cluster's nodes, in the order they were started (the first is the seed the others joined). */
    List<String> nodeNames();

    /**
     * The AMQP URI of the default virtual host with every node's address, in {@link #nodeNames()} order, e.g.
     * {@code amqp://guest:guest@127.0.0.1:5711,127.0.0.1:5712,127.0.0.1:5713/%2F}: what a client of the whole cluster
     * is given.
     */
    String amqpUri();

    /**
     * The AMQP URI of one node's default virtual host, e.g. {@code amqp://guest:guest@127.0.0.1:5712/%2F}.
     *
     * @throws IllegalArgumentException if the node is not one of this cluster's
     */
    String amqpUri(String nodeName);

    /**
     * The nodes that run now, as a running node of the cluster reports them ({@code rabbitmqctl cluster_status}).
     *
     * @throws IllegalStateException if no node of the cluster runs
     */
    List<String> runningNodes();

    /**
     * The node the leader of a quorum queue of a virtual host runs on, or empty if there is no such queue or it has no
     * leader at the moment (an election under way, or too few nodes for a quorum).
     *
     * @throws IllegalStateException if no node of the cluster runs
     */
    Optional<String> queueLeader(String virtualHost, String queue);

    /**
     * The node each named client connection of a virtual host is connected to, by the name the client gave the
     * connection (for an eventbus bus, {@code <connection name>-publisher} and {@code -consumer}).
     *
     * @throws IllegalStateException if no node of the cluster runs
     */
    Map<String, String> connectionNodes(String virtualHost);

    /**
     * Ends a node as a crash would ({@code kill -9} of its Erlang VM, or of its container), without a word to clients or
     * peers, and keeps its data for {@link #restart}. Blocks until its processes are gone.
     *
     * @throws IllegalArgumentException if the node is not one of this cluster's
     */
    void kill(String nodeName);

    /**
     * Starts a killed node again from its data and waits until the cluster reports it running. Blocks up to the
     * timeout.
     *
     * @throws IllegalArgumentException if the node is not one of this cluster's
     * @throws IllegalStateException    if it does not start
     * @throws AssertionError           if the cluster does not report it running in time
     */
    void restart(String nodeName, Duration timeout);

    /**
     * Waits until every node of the cluster runs and the cluster says so. Blocks up to the timeout.
     *
     * @throws AssertionError if some node does not run in time, naming it
     */
    default void awaitAllRunning(Duration timeout) {
        Await.until("every node of the cluster running", timeout, () -> {
            try {
                return runningNodes().containsAll(nodeNames());
            } catch (RuntimeException e) {
                return false;
            }
        }, () -> {
            try {
                return "running: " + runningNodes() + " of " + nodeNames();
            } catch (RuntimeException e) {
                return "no running node answers: " + e.getMessage();
            }
        });
    }

    /** Stops every node and deletes its data. Blocks while the nodes shut down. Does not throw. */
    @Override
    void close();
}
