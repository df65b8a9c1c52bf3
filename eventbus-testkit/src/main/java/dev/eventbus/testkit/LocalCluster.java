package dev.eventbus.testkit;

import dev.eventbus.core.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A RabbitMQ cluster of nodes of this machine's installation, each a {@link LocalNode} with its own node name, ports
 * and data directory under a temporary directory, and the installation's Erlang cookie. The nodes start in parallel;
 * then each one after the first joins the first ({@code rabbitmqctl -n <node> stop_app}, {@code join_cluster},
 * {@code start_app}), one at a time, as RabbitMQ's clustering guide does it.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().nodes(3).nodeNamePrefix("eventbus-c")   // eventbus-c1@localhost ...
 *         .amqpPort(5711).distributionPort(25711).managementPort(15711)                     // node i: port + i - 1
 *         .build().start(Duration.ofMinutes(3))) {
 *     ... cluster.amqpUri() ... cluster.kill("eventbus-c2@localhost") ... cluster.restart(...)
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops every node and deletes its directory; each node's JVM shutdown hook kills it if a test
 * forgets. Needs {@code rabbitmq-server} on this machine: {@link #unavailableReason()} says when there is none.
 * Thread-safe: start, kill, restart and close are serialized.
 */
public final class LocalCluster implements RabbitMqCluster {

    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(90);

    private final List<LocalNode> nodes;

    private LocalCluster(List<LocalNode> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** A builder; the defaults make three nodes {@code eventbus-cluster-1@localhost}... on ports 5701, 25701 and none. */
    public static Builder builder() {
        return new Builder();
    }

    /** Why no cluster can be started on this machine ({@code rabbitmq-server} not found), or empty when one can. */
    public static Optional<String> unavailableReason() {
        return LocalNode.unavailableReason();
    }

    /**
     * Starts every node (in parallel), joins them into one cluster and waits until it reports every node running.
     * Blocks up to the timeout. On failure the nodes started so far are stopped.
     *
     * @return this cluster
     * @throws IllegalStateException if a node does not start (a port taken, no {@code rabbitmq-server}) or join in time
     */
    public synchronized LocalCluster start(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            inParallel(node -> node.start(remaining(deadline)));
            String seed = nodes.get(0).nodeName();
            for (LocalNode node : nodes.subList(1, nodes.size())) {
                log.info("joining RabbitMQ node {} to the cluster of {}", node.nodeName(), seed);
                ctl(node).joinCluster(seed);
            }
            awaitAllRunning(remaining(deadline));
        } catch (RuntimeException e) {
            close();
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("could not start the cluster " + nodeNames() + ": " + cause.getMessage(), cause);
        }
        log.info("RabbitMQ cluster of {} is up at {}", nodeNames(), amqpUri().replace("guest:guest@", "guest:****@"));
        return this;
    }

    /** The cluster's nodes, in start order; the first is the seed the others joined. */
    public List<LocalNode> nodes() {
        return nodes;
    }

    /**
     * One of the cluster's nodes.
     *
     * @throws IllegalArgumentException if no node has that name
     */
    public LocalNode node(String nodeName) {
        return nodes.stream().filter(node -> node.nodeName().equals(nodeName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + nodeName + " in the cluster " + nodeNames()));
    }

    @Override
    public List<String> nodeNames() {
        return nodes.stream().map(LocalNode::nodeName).toList();
    }

    @Override
    public String amqpUri() {
        return "amqp://guest:guest@" + nodes.stream().map(node -> "127.0.0.1:" + node.amqpPort())
                .collect(Collectors.joining(",")) + "/%2F";
    }

    @Override
    public String amqpUri(String nodeName) {
        return node(nodeName).amqpUri() + "/%2F";
    }

    @Override
    public List<String> runningNodes() {
        return onARunningNode().runningNodes();
    }

    @Override
    public Optional<String> queueLeader(String virtualHost, String queue) {
        return onARunningNode().queueLeader(virtualHost, queue);
    }

    @Override
    public Map<String, String> connectionNodes(String virtualHost) {
        return onARunningNode().connectionNodes(virtualHost);
    }

    @Override
    public synchronized void kill(String nodeName) {
        node(nodeName).kill();
    }

    @Override
    public synchronized void restart(String nodeName, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        LocalNode node = node(nodeName);
        node.start(timeout);
        Await.until(nodeName + " running in the cluster again", remaining(deadline), () -> {
            try {
                return ctl(node).runningNodes().contains(nodeName);
            } catch (RuntimeException e) {
                return false; // its rabbitmqctl may not answer until the node has booted
            }
        }, () -> {
            try {
                return "running: " + ctl(node).runningNodes();
            } catch (RuntimeException e) {
                return "its rabbitmqctl fails: " + e.getMessage();
            }
        });
    }

    /** Stops every node (in parallel) and deletes its directory. Does not throw; a node that fails to stop is logged. */
    @Override
    public synchronized void close() {
        inParallel(node -> {
            try {
                node.stop();
            } catch (RuntimeException e) {
                log.warn("could not stop RabbitMQ node {}: {}", node.nodeName(), e.toString());
            }
        });
    }

    /** Runs the action for every node, each on a thread of its own (they block on a node for seconds), and waits. */
    private void inParallel(java.util.function.Consumer<LocalNode> action) {
        ExecutorService threads = Executors.newFixedThreadPool(nodes.size(), runnable -> {
            Thread thread = new Thread(runnable, "eventbus-testkit-cluster");
            thread.setDaemon(true);
            return thread;
        });
        try {
            CompletableFuture.allOf(nodes.stream().map(node -> CompletableFuture.runAsync(() -> action.accept(node), threads))
                    .toArray(CompletableFuture[]::new)).join();
        } finally {
            threads.shutdown();
        }
    }

    @Override
    public String toString() {
        return "LocalCluster" + nodes;
    }

    private ClusterCtl onARunningNode() {
        return nodes.stream().filter(LocalNode::isRunning).findFirst().map(LocalCluster::ctl)
                .orElseThrow(() -> new IllegalStateException("no node of the cluster " + nodeNames() + " runs"));
    }

    private static ClusterCtl ctl(LocalNode node) {
        return new ClusterCtl(LocalCtlRunner.discover().onNode(node.nodeName()), node.nodeName(), CTL_TIMEOUT);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    /** Builds a {@link LocalCluster}; not thread-safe. */
    public static final class Builder {

        private int nodes = 3;
        private String nodeNamePrefix = "eventbus-cluster-";
        private int amqpPort = 5701;
        private int distributionPort = 25701;
        private int managementPort;

        private Builder() {
        }

        /**
         * How many nodes. Default is 3, the smallest cluster whose quorum queues survive the loss of a node.
         *
         * @param count 1 to 9
         * @return this builder
         */
        public Builder nodes(int count) {
            if (count < 1 || count > 9) {
                throw new ConfigurationException("a local cluster of " + count + " nodes: give 1 to 9 (3 is the usual size)");
            }
            this.nodes = count;
            return this;
        }

        /**
         * The nodes' names: node {@code i} (from 1) is {@code <prefix><i>@localhost}. Default is
         * {@code eventbus-cluster-}. They must differ from every other node of the machine.
         *
         * @param prefix letters, digits, {@code _} and {@code -}
         * @return this builder
         */
        public Builder nodeNamePrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (!prefix.matches("[A-Za-z0-9_-]+")) {
                throw new ConfigurationException("node name prefix '" + prefix + "' must be letters, digits, _ and -, "
                        + "e.g. eventbus-c");
            }
            this.nodeNamePrefix = prefix;
            return this;
        }

        /**
         * The first node's AMQP port, on 127.0.0.1; node {@code i} listens on this plus {@code i - 1}. Default is 5701.
         *
         * @param port the first of as many free TCP ports as nodes
         * @return this builder
         */
        public Builder amqpPort(int port) {
            this.amqpPort = port;
            return this;
        }

        /**
         * The first node's Erlang distribution port; node {@code i} uses this plus {@code i - 1}. Default is 25701.
         *
         * @param port the first of as many free TCP ports as nodes
         * @return this builder
         */
        public Builder distributionPort(int port) {
            this.distributionPort = port;
            return this;
        }

        /**
         * The first node's management API port, with the plugin enabled on every node; node {@code i} uses this plus
         * {@code i - 1}. Default is 0: no management plugin (the nodes start faster).
         *
         * @param port the first of as many free TCP ports as nodes, or 0 for none
         * @return this builder
         */
        public Builder managementPort(int port) {
            this.managementPort = port;
            return this;
        }

        /**
         * The cluster, not started.
         *
         * @return a new cluster
         * @throws ConfigurationException if a port is out of range or the port ranges of the nodes overlap
         */
        public LocalCluster build() {
            List<int[]> ranges = new ArrayList<>(List.of(new int[] {amqpPort, amqpPort + nodes - 1},
                    new int[] {distributionPort, distributionPort + nodes - 1}));
            if (managementPort != 0) {
                ranges.add(new int[] {managementPort, managementPort + nodes - 1});
            }
            for (int i = 0; i < ranges.size(); i++) {
                for (int j = i + 1; j < ranges.size(); j++) {
                    if (ranges.get(i)[0] <= ranges.get(j)[1] && ranges.get(j)[0] <= ranges.get(i)[1]) {
                        throw new ConfigurationException("the port ranges of the " + nodes + " nodes overlap: AMQP from "
                                + amqpPort + ", distribution from " + distributionPort + ", management from " + managementPort
                                + "; each node takes the next port of each range");
                    }
                }
            }
            List<LocalNode> built = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                built.add(LocalNode.builder().nodeName(nodeNamePrefix + (i + 1) + "@localhost")
                        .amqpPort(amqpPort + i).distributionPort(distributionPort + i)
                        .managementPort(managementPort == 0 ? 0 : managementPort + i)
                        .build());
            }
            return new LocalCluster(built);
        }
    }
}
