package dev.eventbus.testkit;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code rabbitmqctl} commands a cluster fixture runs on one of its nodes, wherever {@code rabbitmqctl} runs (a
 * local binary with {@code -n}, or inside a container): joining, and reading the cluster's state. Both cluster
 * fixtures share it, so that they form and read a cluster the same way. Thread-safe: every call is its own run.
 */
final class ClusterCtl {

    /** An Erlang pid as rabbitmqctl prints it: {@code <node.N.N.N>}, e.g. {@code <eventbus-c1@localhost.1702.880.0>}. */
    private static final Pattern PID = Pattern.compile("^<(.+)\\.\\d+\\.\\d+\\.\\d+>$");

    private final CtlRunner runner;
    private final String node;
    private final Duration timeout;

    ClusterCtl(CtlRunner runner, String node, Duration timeout) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.node = Objects.requireNonNull(node, "node");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * Makes this node a member of the seed's cluster: {@code stop_app}, {@code join_cluster <seed>}, {@code start_app},
     * {@code await_startup}. Blocks until the node runs again.
     *
     * @throws RabbitMqCtlException if a command fails, naming it and what it printed
     */
    void joinCluster(String seed) {
        for (List<String> command : joinCommands(seed)) {
            execute(command.toArray(String[]::new));
        }
    }

    /** The commands that make a node join the seed's cluster, in order. */
    static List<List<String>> joinCommands(String seed) {
        return List.of(List.of("stop_app"), List.of("join_cluster", seed), List.of("start_app"), List.of("await_startup"));
    }

    /** The nodes the cluster says run, as this node sees them ({@code cluster_status}). */
    List<String> runningNodes() {
        return parseRunningNodes(execute("cluster_status", "--formatter", "json"));
    }

    /** The members of the cluster, running or not ({@code cluster_status}'s disk and RAM nodes). */
    List<String> members() {
        JsonNode status = CtlOutput.object(execute("cluster_status", "--formatter", "json"), "cluster_status");
        List<String> members = new ArrayList<>(texts(status.get("disk_nodes")));
        members.addAll(texts(status.get("ram_nodes")));
        return List.copyOf(members);
    }

    static List<String> parseRunningNodes(String clusterStatusJson) {
        return texts(CtlOutput.object(clusterStatusJson, "cluster_status").get("running_nodes"));
    }

    /**
     * The node of the leader of a quorum queue ({@code list_queues name leader}), or empty if there is no such queue or
     * it has no leader now (a classic queue, an election under way).
     */
    Optional<String> queueLeader(String virtualHost, String queue) {
        return parseQueueLeader(execute("list_queues", "-p", virtualHost, "name", "type", "leader", "--formatter", "json"), queue);
    }

    static Optional<String> parseQueueLeader(String listQueuesJson, String queue) {
        for (JsonNode row : CtlOutput.rows(listQueuesJson, "list_queues")) {
            if (queue.equals(CtlOutput.text(row, "name"))) {
                JsonNode leader = row.get("leader");
                return leader == null || !leader.isTextual() || leader.asText().isBlank() || "''".equals(leader.asText())
                        ? Optional.empty() : Optional.of(leader.asText());
            }
        }
        return Optional.empty();
    }

    /**
     * The node each client connection of the virtual host is connected to, by the name the client gave it
     * ({@code ConnectionFactory.newConnection(name)}); connections without a name are left out.
     */
    Map<String, String> connectionNodes(String virtualHost) {
        return parseConnectionNodes(execute("-q", "list_connections", "pid", "name", "--no-table-headers"),
                execute("list_connections", "name", "vhost", "client_properties", "--formatter", "json"), virtualHost);
    }

    /**
     * Joins the tab-separated listing, whose pids carry the node ({@code <node.N.N.N>}; the JSON formatter prints
     * {@code #PID<N.N.N>} without it), with the JSON one, whose client properties carry the connection's name, on the
     * broker's unique name of each connection ({@code 127.0.0.1:54321 -> 127.0.0.1:5711}). A connection opened or closed
     * between the two runs is in one listing only and left out.
     */
    static Map<String, String> parseConnectionNodes(String table, String json, String virtualHost) {
        Map<String, String> nodesByBrokerName = new HashMap<>();
        for (String line : table.split("\\R")) {
            int tab = line.indexOf('\t');
            if (line.startsWith("<") && tab > 0) {
                nodeOfPid(line.substring(0, tab)).ifPresent(node -> nodesByBrokerName.put(line.substring(tab + 1).strip(), node));
            }
        }
        Map<String, String> byName = new HashMap<>();
        for (JsonNode row : CtlOutput.rows(json, "list_connections")) {
            String node = nodesByBrokerName.get(CtlOutput.text(row, "name"));
            Object name = CtlOutput.table(row.get("client_properties")).get("connection_name");
            if (node != null && name != null && virtualHost.equals(CtlOutput.text(row, "vhost"))) {
                byName.put(name.toString(), node);
            }
        }
        return Map.copyOf(byName);
    }

    /** The node of an Erlang pid as rabbitmqctl prints it, e.g. {@code eventbus-c1@localhost}. */
    static Optional<String> nodeOfPid(String pid) {
        Matcher matcher = PID.matcher(pid.strip());
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        if (array != null) {
            array.forEach(element -> texts.add(element.asText()));
        }
        return List.copyOf(texts);
    }

    private String execute(String... arguments) {
        CtlRunner.Result result = runner.run(List.of(arguments), timeout);
        if (result.exitCode() != 0) {
            throw new RabbitMqCtlException("'rabbitmqctl " + String.join(" ", arguments) + "' on node " + node + " ("
                    + runner.describe() + ") exited with " + result.exitCode() + ": "
                    + CtlOutput.abbreviate(result.stderr() + result.stdout()) + "; check that the node runs "
                    + "(rabbitmqctl -n " + node + " status) and shares the cluster's Erlang cookie");
        }
        return result.stdout();
    }
}
