package dev.eventbus.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Inspects and disturbs a test broker through {@code rabbitmqctl}: lists queues, exchanges and bindings
 * of one virtual host, and closes client connections from the broker side. Immutable and thread-safe;
 * every method blocks while {@code rabbitmqctl} runs (about a second each), at most for the timeout.
 *
 * <p>For a local broker it runs the local binary; for a Testcontainers broker it runs
 * {@code rabbitmqctl} inside the container. Output is read from {@code --formatter json}.
 *
 * <p>The testkit itself needs it only for faults (closing connections, stopping the broker's application, memory
 * alarms) and, without the management API, for test virtual hosts: cleaning up after tests works over AMQP.
 */
public final class RabbitMqCtl {

    /** Default time one command may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(RabbitMqCtl.class);

    private final CtlRunner runner;
    private final String virtualHost;
    private final Duration timeout;
    private final Integer amqpPort;

    RabbitMqCtl(CtlRunner runner, String virtualHost, Duration timeout) {
        this(runner, virtualHost, timeout, null);
    }

    /**
     * @param amqpPort the AMQP port of the broker this client is for, or null: when given, {@link #unavailableReason()}
     *                 checks that the node {@code rabbitmqctl} reaches listens on it, so that it never manages another
     *                 node of the machine
     */
    RabbitMqCtl(CtlRunner runner, String virtualHost, Duration timeout, Integer amqpPort) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.virtualHost = Objects.requireNonNull(virtualHost, "virtualHost");
        this.timeout = requirePositive(timeout);
        this.amqpPort = amqpPort;
    }

    /**
     * A client of the local {@code rabbitmqctl} for one virtual host: the binary named by
     * {@code EVENTBUS_RABBITMQCTL} (or {@code -Deventbus.rabbitmqctl}), else the first on the {@code PATH}
     * or in the usual install directories. Never throws for a missing binary: {@link #isAvailable()}
     * says so, and the other methods throw {@link RabbitMqCtlException} naming the fix.
     */
    public static RabbitMqCtl local(String virtualHost) {
        return new RabbitMqCtl(LocalCtlRunner.discover(), virtualHost, DEFAULT_TIMEOUT);
    }

    /** A copy whose commands may take at most the given time each. */
    public RabbitMqCtl withTimeout(Duration newTimeout) {
        return new RabbitMqCtl(runner, virtualHost, newTimeout, amqpPort);
    }

    /** A copy that lists and acts on another virtual host. */
    public RabbitMqCtl forVirtualHost(String otherVirtualHost) {
        return new RabbitMqCtl(runner, otherVirtualHost, timeout, amqpPort);
    }

    /**
     * Creates a virtual host and gives a user every permission on it ({@code add_vhost}, {@code set_permissions}).
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public void addVirtualHost(String name, String user) {
        execute("add_vhost", name);
        execute("set_permissions", "-p", name, user, ".*", ".*", ".*");
    }

    /**
     * Deletes a virtual host with everything in it ({@code delete_vhost}).
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public void deleteVirtualHost(String name) {
        execute("delete_vhost", name);
    }

    /**
     * Evaluates an Erlang expression on the broker node ({@code rabbitmqctl eval}), e.g. to change an application
     * setting for a test; returns what it prints. Restore what you change.
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public String eval(String expression) {
        return execute("eval", expression).strip();
    }

    /**
     * Sets the memory high watermark ({@code set_vm_memory_high_watermark}) as a fraction of the machine's memory:
     * a tiny value raises the memory alarm, which blocks every publishing connection; the default is 0.4.
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public void setMemoryHighWatermark(double fraction) {
        execute("set_vm_memory_high_watermark", java.math.BigDecimal.valueOf(fraction).toPlainString());
    }

    /**
     * Stops the RabbitMQ application on the node ({@code stop_app}), closing every connection; the Erlang node stays
     * up so {@link #startApp()} can start it again.
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public void stopApp() {
        execute("stop_app");
    }

    /**
     * Starts the RabbitMQ application after {@link #stopApp()} and waits until it accepts connections
     * ({@code start_app}, then {@code await_startup}).
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public void startApp() {
        execute("start_app");
        execute("await_startup");
    }

    /** The virtual host this client lists and acts on. */
    public String virtualHost() {
        return virtualHost;
    }

    /** Where {@code rabbitmqctl} runs: a path or a container id. */
    public String location() {
        return runner.describe();
    }

    /**
     * Whether {@code rabbitmqctl} exists and reaches the broker node with this virtual host (and, for the client of a
     * test broker, the node that listens on that broker's AMQP port). Runs one or two quick commands; never throws.
     */
    public boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    /** Why {@link #isAvailable()} is false (what is missing and how to fix it), or empty when it is available. */
    public Optional<String> unavailableReason() {
        Optional<String> known = runner.unavailableReason();
        if (known.isPresent()) {
            return known;
        }
        try {
            if (amqpPort != null) {
                JsonNode status = CtlOutput.object(execute("status", "--formatter", "json"), "status");
                List<Integer> ports = new ArrayList<>();
                String node = "";
                for (JsonNode listener : status.path("listeners")) {
                    if (listener.path("protocol").asText().startsWith("amqp")) {
                        ports.add(listener.path("port").asInt());
                        node = listener.path("node").asText();
                    }
                }
                if (!ports.contains(amqpPort)) {
                    return Optional.of("the node that " + runner.describe() + " reaches" + (node.isEmpty() ? "" : ", " + node + ",")
                            + " listens for AMQP on " + ports + ", not on the test broker's port " + amqpPort + ": set "
                            + LocalCtlRunner.NODE_VARIABLE + " to the broker's node name (as rabbitmqctl -n takes it), or "
                            + LocalCtlRunner.PATH_VARIABLE + " to a rabbitmqctl that reaches it");
                }
            }
            List<JsonNode> vhosts = CtlOutput.rows(execute("list_vhosts", "name", "--formatter", "json"), "list_vhosts");
            boolean found = vhosts.stream().anyMatch(row -> virtualHost.equals(CtlOutput.text(row, "name")));
            return found ? Optional.empty()
                    : Optional.of("the broker node that " + runner.describe() + " reaches has no virtual host '" + virtualHost
                    + "': the test broker is another node; set " + LocalCtlRunner.NODE_VARIABLE + " (or "
                    + LocalCtlRunner.PATH_VARIABLE + ") so that rabbitmqctl reaches that broker");
        } catch (RabbitMqCtlException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The queues of the virtual host.
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing, fails or prints unreadable output
     */
    public List<QueueInfo> listQueues() {
        List<QueueInfo> queues = new ArrayList<>();
        for (JsonNode row : list("list_queues", "name", "durable", "arguments", "messages", "consumers")) {
            queues.add(new QueueInfo(CtlOutput.text(row, "name"), row.path("durable").asBoolean(false),
                    CtlOutput.table(row.get("arguments")), row.path("messages").asLong(0), row.path("consumers").asInt(0)));
        }
        return List.copyOf(queues);
    }

    /**
     * The exchanges of the virtual host, the default exchange ({@code ""}) and {@code amq.*} included.
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing, fails or prints unreadable output
     */
    public List<ExchangeInfo> listExchanges() {
        List<ExchangeInfo> exchanges = new ArrayList<>();
        for (JsonNode row : list("list_exchanges", "name", "type", "durable", "arguments")) {
            exchanges.add(new ExchangeInfo(CtlOutput.text(row, "name"), CtlOutput.text(row, "type"),
                    row.path("durable").asBoolean(false), CtlOutput.table(row.get("arguments"))));
        }
        return List.copyOf(exchanges);
    }

    /**
     * The bindings of the virtual host, the default exchange's implicit bindings included (source {@code ""}).
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing, fails or prints unreadable output
     */
    public List<BindingInfo> listBindings() {
        List<BindingInfo> bindings = new ArrayList<>();
        for (JsonNode row : list("list_bindings", "source_name", "destination_name", "destination_kind", "routing_key",
                "arguments")) {
            bindings.add(new BindingInfo(CtlOutput.text(row, "source_name"), CtlOutput.text(row, "destination_name"),
                    CtlOutput.text(row, "destination_kind"), CtlOutput.text(row, "routing_key"),
                    CtlOutput.table(row.get("arguments"))));
        }
        return List.copyOf(bindings);
    }

    /**
     * The client connections to the virtual host, with the name each client gave its connection.
     *
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing, fails or prints unreadable output
     */
    public List<ConnectionInfo> listConnections() {
        // The JSON formatter prints pids in a form close_connection does not accept, so the pids come
        // from the tab-separated listing, matched by the connection's unique peer name.
        Map<String, String> pidsByName = new HashMap<>();
        String table = execute("-q", "list_connections", "pid", "name", "--no-table-headers");
        for (String line : table.split("\\R")) {
            int tab = line.indexOf('\t');
            if (line.startsWith("<") && tab > 0) {
                pidsByName.put(line.substring(tab + 1).strip(), line.substring(0, tab));
            }
        }
        List<ConnectionInfo> connections = new ArrayList<>();
        for (JsonNode row : CtlOutput.rows(execute("list_connections", "name", "vhost", "client_properties", "--formatter", "json"),
                "list_connections")) {
            String name = CtlOutput.text(row, "name");
            String pid = pidsByName.get(name);
            if (pid == null || !virtualHost.equals(CtlOutput.text(row, "vhost"))) {
                continue;
            }
            Object clientName = CtlOutput.table(row.get("client_properties")).get("connection_name");
            connections.add(new ConnectionInfo(pid, name, clientName == null ? "" : clientName.toString()));
        }
        return List.copyOf(connections);
    }

    /**
     * Closes every client connection to the virtual host from the broker side, as a broker restart or
     * network failure would; clients with automatic recovery reconnect. Other tests' connections on the
     * same virtual host are closed too: prefer {@link #closeConnectionsNamed(String)}.
     *
     * @param reason the text clients receive in the close frame
     * @return how many connections were closed
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public int closeAllConnections(String reason) {
        return close(listConnections(), reason);
    }

    /**
     * Closes, from the broker side, the connections to the virtual host whose client-provided name
     * ({@code ConnectionFactory.newConnection(name)}) starts with the prefix.
     *
     * @return how many connections were closed
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public int closeConnectionsNamed(String clientProvidedNamePrefix) {
        Objects.requireNonNull(clientProvidedNamePrefix, "clientProvidedNamePrefix");
        if (clientProvidedNamePrefix.isEmpty()) {
            throw new IllegalArgumentException("connection name prefix is empty: it would match every connection; "
                    + "use closeAllConnections(reason) to close them all");
        }
        List<ConnectionInfo> matching = listConnections().stream()
                .filter(connection -> connection.clientProvidedName().startsWith(clientProvidedNamePrefix))
                .toList();
        return close(matching, "closed by eventbus-testkit: connections named " + clientProvidedNamePrefix + "*");
    }

    private int close(List<ConnectionInfo> connections, String reason) {
        int closed = 0;
        for (ConnectionInfo connection : connections) {
            CtlRunner.Result result = runner.run(List.of("close_connection", connection.pid(), reason), timeout);
            if (result.exitCode() == 0) {
                closed++;
                log.info("closed connection '{}' ({}) from the broker side", connection.clientProvidedName(), connection.name());
            } else {
                // It may have closed on its own between listing and closing.
                log.debug("could not close connection {}: {}", connection.name(), result.stderr().strip());
            }
        }
        return closed;
    }

    private List<JsonNode> list(String command, String... columns) {
        List<String> arguments = new ArrayList<>(List.of(command, "-p", virtualHost));
        arguments.addAll(List.of(columns));
        arguments.addAll(List.of("--formatter", "json"));
        return CtlOutput.rows(execute(arguments.toArray(String[]::new)), command);
    }

    private String execute(String... arguments) {
        CtlRunner.Result result = runner.run(List.of(arguments), timeout);
        if (result.exitCode() != 0) {
            throw new RabbitMqCtlException("'rabbitmqctl " + String.join(" ", arguments) + "' (" + runner.describe()
                    + ") exited with " + result.exitCode() + ": " + CtlOutput.abbreviate(result.stderr() + result.stdout())
                    + "; check that the broker runs (rabbitmqctl status) and this user may manage it");
        }
        return result.stdout();
    }

    private static Duration requirePositive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("rabbitmqctl timeout " + timeout + " is not positive: give e.g. Duration.ofSeconds(30)");
        }
        return timeout;
    }

    /**
     * A queue as {@code rabbitmqctl list_queues} shows it.
     *
     * @param name      the queue name
     * @param durable   whether it survives a broker restart
     * @param arguments its declaration arguments ({@code x-message-ttl}, {@code x-dead-letter-exchange}, ...)
     * @param messages  messages in the queue, ready and unacknowledged
     * @param consumers number of consumers
     */
    public record QueueInfo(String name, boolean durable, Map<String, Object> arguments, long messages, int consumers) {

        /** Checks the name and copies the arguments. */
        public QueueInfo {
            Objects.requireNonNull(name, "name");
            arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(arguments));
        }
    }

    /**
     * An exchange as {@code rabbitmqctl list_exchanges} shows it.
     *
     * @param name      the exchange name ({@code ""} for the default exchange)
     * @param type      {@code topic}, {@code direct}, {@code fanout}, {@code headers}, ...
     * @param durable   whether it survives a broker restart
     * @param arguments its declaration arguments
     */
    public record ExchangeInfo(String name, String type, boolean durable, Map<String, Object> arguments) {

        /** Checks the name and type and copies the arguments. */
        public ExchangeInfo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(arguments));
        }
    }

    /**
     * A binding as {@code rabbitmqctl list_bindings} shows it.
     *
     * @param source          the source exchange ({@code ""} for the default exchange)
     * @param destination     the queue or exchange bound
     * @param destinationKind {@code queue} or {@code exchange}
     * @param routingKey      the binding key
     * @param arguments       the binding arguments
     */
    public record BindingInfo(String source, String destination, String destinationKind, String routingKey,
                              Map<String, Object> arguments) {

        /** Checks the fields and copies the arguments. */
        public BindingInfo {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(destinationKind, "destinationKind");
            Objects.requireNonNull(routingKey, "routingKey");
            arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(arguments));
        }
    }

    /**
     * A client connection as {@code rabbitmqctl list_connections} shows it.
     *
     * @param pid                the connection process id, as {@code close_connection} takes it
     * @param name               the broker's name for it: client and server address
     * @param clientProvidedName the name the client gave it, empty if none
     */
    public record ConnectionInfo(String pid, String name, String clientProvidedName) {

        /** Checks the fields. */
        public ConnectionInfo {
            Objects.requireNonNull(pid, "pid");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(clientProvidedName, "clientProvidedName");
        }
    }
}
