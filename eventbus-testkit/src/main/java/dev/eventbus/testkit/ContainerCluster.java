package dev.eventbus.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.eventbus.core.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.RabbitMQContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A RabbitMQ cluster of containers started with Testcontainers, for machines with a Docker engine: one container per
 * node on a network of their own, node {@code i} named {@code rabbit@node<i>} (its host name and network alias), all
 * with one Erlang cookie made for this cluster. The containers start in parallel; then each one after the first joins
 * the first ({@code rabbitmqctl stop_app}, {@code join_cluster rabbit@node1}, {@code start_app}) inside its container.
 *
 * <pre>{@code
 * try (ContainerCluster cluster = ContainerCluster.builder().nodes(3).build().start(Duration.ofMinutes(3))) {
 *     ... cluster.amqpUri() ... cluster.kill("rabbit@node2") ... cluster.restart("rabbit@node2", ...)
 * }
 * }</pre>
 *
 * <p>{@link #kill} is {@code docker kill --signal KILL}; {@link #restart} starts the same container again (its data
 * is in the container), and Docker may map its AMQP port to another host port: {@link #amqpUri()} reads the current
 * mapping every time. Testcontainers' Ryuk removes the containers if the JVM dies. Thread-safe: start, kill, restart
 * and close are serialized.
 */
public final class ContainerCluster implements RabbitMqCluster {

    /** The image of every node: the one {@link RabbitMqExtension}'s single-broker container uses. */
    public static final String IMAGE = BrokerContainer.IMAGE;

    private static final Logger log = LoggerFactory.getLogger(ContainerCluster.class);
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(90);
    private static final int AMQP_PORT = 5672;

    private final int size;
    private final String image;
    private final List<RabbitMQContainer> containers = new ArrayList<>(); // guarded by this
    private Network network; // guarded by this

    private ContainerCluster(Builder builder) {
        this.size = builder.nodes;
        this.image = builder.image;
    }

    /** A builder; the default is three nodes of {@link #IMAGE}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Why no cluster of containers can be started here (no Docker engine found), or empty when one can. */
    public static Optional<String> unavailableReason() {
        return BrokerContainer.dockerAvailable() ? Optional.empty()
                : Optional.of("Testcontainers finds no Docker engine: start Docker, or use LocalCluster with this machine's "
                + "RabbitMQ installation");
    }

    /** The name of node {@code i} (from 1): {@code rabbit@node<i>}. */
    static String nodeName(int index) {
        return "rabbit@" + hostName(index);
    }

    private static String hostName(int index) {
        return "node" + index;
    }

    /**
     * Starts the containers (in parallel), joins them into one cluster and waits until it reports every node running.
     * Blocks up to the timeout (image pulls included). On failure the containers started so far are removed.
     *
     * @return this cluster
     * @throws TestBrokerUnavailableException if there is no Docker engine or a container does not start
     */
    public synchronized ContainerCluster start(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (network != null) {
            throw new IllegalStateException("the cluster " + nodeNames() + " is already started");
        }
        Optional<String> missing = unavailableReason();
        if (missing.isPresent()) {
            throw new TestBrokerUnavailableException("cannot start a RabbitMQ cluster of containers: " + missing.get());
        }
        String cookie = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        network = Network.newNetwork();
        try {
            for (int i = 1; i <= size; i++) {
                String host = hostName(i);
                @SuppressWarnings("resource") // closed in close()
                RabbitMQContainer container = new RabbitMQContainer(DockerImageName.parse(image))
                        .withNetwork(network).withNetworkAliases(host)
                        .withCreateContainerCmdModifier(command -> command.withHostName(host))
                        .withEnv("RABBITMQ_NODENAME", nodeName(i))
                        // the image's entrypoint gives the file to the rabbitmq user; root's cookie links to it
                        .withCopyToContainer(Transferable.of(cookie, 0400), "/var/lib/rabbitmq/.erlang.cookie")
                        .withStartupTimeout(timeout);
                containers.add(container);
            }
            Startables.deepStart(containers).join();
            for (int i = 2; i <= size; i++) {
                log.info("joining RabbitMQ node {} to the cluster of {}", nodeName(i), nodeName(1));
                ctl(i).joinCluster(nodeName(1));
            }
            awaitAllRunning(timeout);
        } catch (RuntimeException e) {
            close();
            throw new TestBrokerUnavailableException("could not start a RabbitMQ cluster of " + size + " containers (" + image
                    + "): " + e.getMessage() + "; check that Docker runs and can pull the image", e);
        }
        log.info("RabbitMQ cluster of {} containers is up at {}", size, amqpUri().replaceFirst(":[^:@/]*@", ":****@"));
        return this;
    }

    @Override
    public List<String> nodeNames() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            names.add(nodeName(i));
        }
        return List.copyOf(names);
    }

    @Override
    public synchronized String amqpUri() {
        RabbitMQContainer first = container(1);
        return "amqp://" + first.getAdminUsername() + ":" + first.getAdminPassword() + "@"
                + nodeNames().stream().map(name -> first.getHost() + ":" + mappedAmqpPort(index(name)))
                .collect(Collectors.joining(",")) + "/%2F";
    }

    @Override
    public synchronized String amqpUri(String nodeName) {
        RabbitMQContainer container = container(index(nodeName));
        return "amqp://" + container.getAdminUsername() + ":" + container.getAdminPassword() + "@" + container.getHost() + ":"
                + mappedAmqpPort(index(nodeName)) + "/%2F";
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
        RabbitMQContainer container = container(index(nodeName));
        docker().killContainerCmd(container.getContainerId()).withSignal("KILL").exec();
        log.info("RabbitMQ node {} killed (docker kill --signal KILL {})", nodeName, container.getContainerId());
    }

    @Override
    public synchronized void restart(String nodeName, Duration timeout) {
        int index = index(nodeName);
        docker().startContainerCmd(container(index).getContainerId()).exec();
        ClusterCtl ctl = ctl(index);
        Await.until(nodeName + " running in the cluster again", timeout, () -> ctl.runningNodes().contains(nodeName),
                () -> nodeName + " not yet listed as running");
    }

    /** Stops and removes every container and the network. Does not throw. */
    @Override
    public synchronized void close() {
        for (RabbitMQContainer container : containers) {
            try {
                container.stop();
            } catch (RuntimeException e) {
                log.warn("could not remove the container of a RabbitMQ node: {}", e.toString());
            }
        }
        containers.clear();
        if (network != null) {
            try {
                network.close();
            } catch (RuntimeException e) {
                log.warn("could not remove the network of the RabbitMQ cluster: {}", e.toString());
            }
            network = null;
        }
    }

    @Override
    public String toString() {
        return "ContainerCluster[" + size + " nodes of " + image + "]";
    }

    private int index(String nodeName) {
        int index = nodeNames().indexOf(nodeName);
        if (index < 0) {
            throw new IllegalArgumentException("no node " + nodeName + " in the cluster " + nodeNames());
        }
        return index + 1;
    }

    private RabbitMQContainer container(int index) {
        if (containers.size() < index) {
            throw new IllegalStateException("the cluster " + nodeNames() + " is not started: call start(timeout) first");
        }
        return containers.get(index - 1);
    }

    /** The host port Docker maps the node's AMQP port to now (it may change when a killed container starts again). */
    private int mappedAmqpPort(int index) {
        Ports.Binding[] bindings = docker().inspectContainerCmd(container(index).getContainerId()).exec().getNetworkSettings()
                .getPorts().getBindings().get(ExposedPort.tcp(AMQP_PORT));
        if (bindings == null || bindings.length == 0) {
            throw new IllegalStateException("the AMQP port of node " + nodeName(index) + " is not mapped: is its container "
                    + "running? (docker ps)");
        }
        return Integer.parseInt(bindings[0].getHostPortSpec());
    }

    private synchronized ClusterCtl ctl(int index) {
        return new ClusterCtl(new ContainerCtlRunner(container(index)), nodeName(index), CTL_TIMEOUT);
    }

    private synchronized ClusterCtl onARunningNode() {
        for (int i = 1; i <= containers.size(); i++) {
            if (Boolean.TRUE.equals(docker().inspectContainerCmd(container(i).getContainerId()).exec().getState().getRunning())) {
                return ctl(i);
            }
        }
        throw new IllegalStateException("no node of the cluster " + nodeNames() + " runs");
    }

    private static DockerClient docker() {
        return org.testcontainers.DockerClientFactory.instance().client();
    }

    /** Builds a {@link ContainerCluster}; not thread-safe. */
    public static final class Builder {

        private int nodes = 3;
        private String image = IMAGE;

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
                throw new ConfigurationException("a cluster of " + count + " containers: give 1 to 9 (3 is the usual size)");
            }
            this.nodes = count;
            return this;
        }

        /**
         * The image of every node. Default is {@link ContainerCluster#IMAGE}.
         *
         * @param name a RabbitMQ image, e.g. {@code rabbitmq:3.13-management}
         * @return this builder
         */
        public Builder image(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new ConfigurationException("the image name is empty: give a RabbitMQ image such as " + IMAGE);
            }
            this.image = name;
            return this;
        }

        /** The cluster, not started: no Docker is needed until {@link ContainerCluster#start}. */
        public ContainerCluster build() {
            return new ContainerCluster(this);
        }
    }
}
