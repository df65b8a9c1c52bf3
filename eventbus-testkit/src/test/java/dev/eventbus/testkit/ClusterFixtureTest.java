package dev.eventbus.testkit;

import dev.eventbus.core.ConfigurationException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster fixtures without starting a node: how they name and number their nodes, what they run to join them, how
 * they read {@code rabbitmqctl}'s answers, and that the container variant says why it cannot start without Docker.
 * {@code ClusterFaultsIT} (integration-tests) runs {@link LocalCluster} on real nodes.
 */
class ClusterFixtureTest {

    @Test
    void aLocalClusterNumbersItsNodesNamesAndPortsFromTheFirst() {
        LocalCluster cluster = LocalCluster.builder().nodes(3).nodeNamePrefix("eventbus-c").amqpPort(5711)
                .distributionPort(25711).managementPort(15711).build();

        assertEquals(List.of("eventbus-c1@localhost", "eventbus-c2@localhost", "eventbus-c3@localhost"), cluster.nodeNames());
        assertEquals(List.of(5711, 5712, 5713), cluster.nodes().stream().map(LocalNode::amqpPort).toList());
        assertEquals("amqp://guest:guest@127.0.0.1:5711,127.0.0.1:5712,127.0.0.1:5713/%2F", cluster.amqpUri());
        assertEquals("amqp://guest:guest@127.0.0.1:5712/%2F", cluster.amqpUri("eventbus-c2@localhost"));
        assertEquals(Optional.of("http://127.0.0.1:15713"), cluster.node("eventbus-c3@localhost").managementUri());
        assertTrue(cluster.nodes().stream().noneMatch(LocalNode::isRunning), "built, not started");
    }

    @Test
    void aLocalClusterRefusesOverlappingPortRangesAndUnknownNodes() {
        ConfigurationException overlap = assertThrows(ConfigurationException.class,
                () -> LocalCluster.builder().nodes(3).amqpPort(5711).distributionPort(5713).build());
        assertTrue(overlap.getMessage().contains("overlap"), overlap.getMessage());
        assertThrows(ConfigurationException.class, () -> LocalCluster.builder().nodes(0));
        assertThrows(ConfigurationException.class, () -> LocalCluster.builder().nodeNamePrefix("no@names"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> LocalCluster.builder().build().kill("rabbit@localhost"));
        assertTrue(unknown.getMessage().contains("no node rabbit@localhost"), unknown.getMessage());
    }

    @Test
    void aNodeJoinsTheSeedByStoppingItsAppJoiningAndStartingAgain() {
        List<List<String>> ran = new ArrayList<>();
        CtlRunner recording = new CtlRunner() {
            @Override
            public Result run(List<String> arguments, Duration timeout) {
                ran.add(arguments);
                return new Result(0, "", "");
            }

            @Override
            public Optional<String> unavailableReason() {
                return Optional.empty();
            }

            @Override
            public String describe() {
                return "recording";
            }
        };

        new ClusterCtl(recording, "eventbus-c2@localhost", Duration.ofSeconds(5)).joinCluster("eventbus-c1@localhost");

        assertEquals(List.of(List.of("stop_app"), List.of("join_cluster", "eventbus-c1@localhost"), List.of("start_app"),
                List.of("await_startup")), ran);
    }

    @Test
    void aFailedCommandNamesTheNodeAndWhatItPrinted() {
        CtlRunner failing = new CtlRunner() {
            @Override
            public Result run(List<String> arguments, Duration timeout) {
                return new Result(69, "", "Error: unable to perform an operation on node 'eventbus-c9@localhost'");
            }

            @Override
            public Optional<String> unavailableReason() {
                return Optional.empty();
            }

            @Override
            public String describe() {
                return "failing";
            }
        };

        RabbitMqCtlException failure = assertThrows(RabbitMqCtlException.class,
                () -> new ClusterCtl(failing, "eventbus-c9@localhost", Duration.ofSeconds(5)).runningNodes());

        assertTrue(failure.getMessage().contains("cluster_status") && failure.getMessage().contains("eventbus-c9@localhost")
                && failure.getMessage().contains("unable to perform"), failure.getMessage());
    }

    @Test
    void readsTheRunningNodesOfClusterStatus() {
        String json = "{\"alarms\":[],\"cluster_name\":\"eventbus-c1@localhost\",\"disk_nodes\":[\"eventbus-c1@localhost\","
                + "\"eventbus-c2@localhost\",\"eventbus-c3@localhost\"],\"running_nodes\":[\"eventbus-c3@localhost\","
                + "\"eventbus-c1@localhost\"]}";

        assertEquals(List.of("eventbus-c3@localhost", "eventbus-c1@localhost"), ClusterCtl.parseRunningNodes(json));
    }

    @Test
    void readsAQuorumQueuesLeaderAndNoneForAClassicQueueOrAnother() {
        String json = "[\n{\"name\":\"a.orders.1.event.order_placed.fulfil\",\"type\":\"quorum\",\"leader\":\"eventbus-c2@localhost\"}\n"
                + ",{\"name\":\"a.classic\",\"type\":\"classic\",\"leader\":\"\"}\n]";

        assertEquals(Optional.of("eventbus-c2@localhost"), ClusterCtl.parseQueueLeader(json, "a.orders.1.event.order_placed.fulfil"));
        assertEquals(Optional.empty(), ClusterCtl.parseQueueLeader(json, "a.classic"));
        assertEquals(Optional.empty(), ClusterCtl.parseQueueLeader(json, "a.missing"));
    }

    @Test
    void readsTheNodeOfEachNamedConnectionOfTheVirtualHost() {
        String table = "<eventbus-c1@localhost.1701966212.4567.0>\t127.0.0.1:40001 -> 127.0.0.1:5711\n"
                + "<eventbus-c3@localhost.1701966213.881.0>\t127.0.0.1:40002 -> 127.0.0.1:5713\n"
                + "<eventbus-c3@localhost.1701966213.990.0>\t127.0.0.1:40003 -> 127.0.0.1:5713\n";
        String json = "[\n{\"name\":\"127.0.0.1:40002 -> 127.0.0.1:5713\",\"vhost\":\"/\",\"client_properties\":"
                + "{\"connection_name\":\"orders-consumer\"}}\n"
                + ",{\"name\":\"127.0.0.1:40001 -> 127.0.0.1:5711\",\"vhost\":\"/\",\"client_properties\":"
                + "[[\"connection_name\",\"longstr\",\"orders-publisher\"]]}\n"
                + ",{\"name\":\"127.0.0.1:40003 -> 127.0.0.1:5713\",\"vhost\":\"other\",\"client_properties\":"
                + "{\"connection_name\":\"elsewhere\"}}\n"
                + ",{\"name\":\"127.0.0.1:40009 -> 127.0.0.1:5712\",\"vhost\":\"/\",\"client_properties\":"
                + "{\"connection_name\":\"opened between the listings\"}}\n]";

        assertEquals(Map.of("orders-publisher", "eventbus-c1@localhost", "orders-consumer", "eventbus-c3@localhost"),
                ClusterCtl.parseConnectionNodes(table, json, "/"));
        assertEquals(Optional.of("rabbit@node1"), ClusterCtl.nodeOfPid("<rabbit@node1.1.2.3>"));
        assertEquals(Optional.empty(), ClusterCtl.nodeOfPid("#PID<12576.26407.1>"));
    }

    @Test
    void aClusterOfContainersNamesItsNodesAfterTheirHosts() {
        ContainerCluster cluster = ContainerCluster.builder().nodes(2).image("rabbitmq:3.13-management").build();

        assertEquals(List.of("rabbit@node1", "rabbit@node2"), cluster.nodeNames());
        assertThrows(ConfigurationException.class, () -> ContainerCluster.builder().nodes(10));
        assertThrows(ConfigurationException.class, () -> ContainerCluster.builder().image(" "));
        IllegalStateException notStarted = assertThrows(IllegalStateException.class, cluster::amqpUri);
        assertTrue(notStarted.getMessage().contains("not started"), notStarted.getMessage());
    }

    @Test
    void aClusterOfContainersSaysWhyItCannotStartWithoutDocker() {
        Assumptions.assumeTrue(ContainerCluster.unavailableReason().isPresent(), "Docker runs here: ClusterFaultsIT's kind of test applies");

        TestBrokerUnavailableException failure = assertThrows(TestBrokerUnavailableException.class,
                () -> ContainerCluster.builder().build().start(Duration.ofMinutes(1)));

        assertTrue(failure.getMessage().contains("Docker"), failure.getMessage());
    }
}
