package dev.eventbus.testkit;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.eventbus.core.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A RabbitMQ node of this machine that a test starts and stops, beside the broker the machine already runs: its own
 * node name, ports, configuration file, data and log directories, with the installation's Erlang cookie (so that the
 * installation's {@code rabbitmqctl} reaches it with {@code -n}). For tests of a broker that is not the default node
 * (the testkit's cleanup, for one), and the building block of multi-node fixtures.
 *
 * <pre>{@code
 * try (LocalNode node = LocalNode.builder().nodeName("eventbus-second@localhost").amqpPort(5681)
 *         .distributionPort(25681).managementPort(15681).build().start(Duration.ofSeconds(60))) {
 *     ... node.amqpUri() ... node.ctl("/").listQueues() ...
 * }   // stopped, its directory deleted
 * }</pre>
 *
 * <p>It runs {@code rabbitmq-server} (found on the {@code PATH} or in the usual install directories; {@link
 * #unavailableReason()} says when there is none) in the foreground of a child process, with {@code RABBITMQ_NODENAME},
 * {@code RABBITMQ_NODE_PORT}, {@code RABBITMQ_DIST_PORT}, {@code RABBITMQ_CONFIG_FILE} (a {@code rabbitmq.conf} of its
 * own, so that the installation's listener settings do not apply), {@code RABBITMQ_MNESIA_BASE},
 * {@code RABBITMQ_LOG_BASE} and {@code RABBITMQ_ENABLED_PLUGINS_FILE} pointing into a new temporary directory. Run as
 * root, the installation's {@code rabbitmq-server} switches to the {@code rabbitmq} user, so that directory is given
 * to that user. The node listens on 127.0.0.1 only; guest/guest may connect.
 *
 * <p>{@link #stop()} stops only the node this object started ({@code rabbitmqctl -n <node> stop}, then the process
 * tree if that fails) and deletes its directory; a JVM shutdown hook does the same if a test forgets. {@link #kill()}
 * ends the node as a crash would ({@code kill -9} of its Erlang VM) and keeps its directory, so that the next
 * {@link #start(Duration)} restarts the same node with its data (as a cluster member, say). Thread-safe: start, kill
 * and stop are serialized.
 */
public final class LocalNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalNode.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String nodeName;
    private final int amqpPort;
    private final int distributionPort;
    private final int managementPort;
    private final List<String> configLines;

    private volatile Process process; // written under this; read by the shutdown hook
    private Path directory; // guarded by this; kept after kill() for the restart
    private Thread shutdownHook; // guarded by this

    private LocalNode(Builder builder) {
        this.nodeName = builder.nodeName;
        this.amqpPort = builder.amqpPort;
        this.distributionPort = builder.distributionPort;
        this.managementPort = builder.managementPort;
        this.configLines = List.copyOf(builder.configLines);
    }

    /** A builder; the node name, AMQP port and distribution port are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Why no node can be started on this machine ({@code rabbitmq-server} not found), or empty when one can. */
    public static Optional<String> unavailableReason() {
        return serverBinary().isPresent() ? Optional.empty()
                : Optional.of("no rabbitmq-server on the PATH or in the usual install directories: install RabbitMQ on this "
                + "machine to run tests that start a node of their own");
    }

    private static Optional<Path> serverBinary() {
        return LocalCtlRunner.findExecutable("rabbitmq-server", System::getenv);
    }

    /**
     * Starts the node and waits until it accepts AMQP connections (and, with a management port, HTTP requests).
     * Blocks up to the timeout. After {@link #kill()} it restarts the same node from the directory it kept: its data,
     * queues and cluster membership.
     *
     * @return this node
     * @throws IllegalStateException if it is already started, a port is taken, {@code rabbitmq-server} is missing, or
     *                               the node did not come up in time (with the end of its output)
     */
    public synchronized LocalNode start(Duration timeout) {
        if (process != null) {
            throw new IllegalStateException("node " + nodeName + " is already started");
        }
        Path server = serverBinary().orElseThrow(() -> new IllegalStateException(unavailableReason().orElseThrow()));
        for (int port : managementPort > 0 ? List.of(amqpPort, distributionPort, managementPort) : List.of(amqpPort, distributionPort)) {
            if (BrokerSelector.reachable("127.0.0.1", port)) {
                throw new IllegalStateException("port " + port + " of node " + nodeName + " is taken by another process; "
                        + "if it is a node left by an earlier run, stop it with: rabbitmqctl -n " + nodeName + " stop");
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean restart = directory != null;
        try {
            if (!restart) {
                directory = Files.createTempDirectory("eventbus-node-" + nodeName.replaceAll("[^A-Za-z0-9_-]", "_") + "-");
                Files.createDirectories(directory.resolve("mnesia"));
                Files.createDirectories(directory.resolve("log"));
                Files.writeString(directory.resolve("rabbitmq.conf"), config(), StandardCharsets.UTF_8);
                Files.writeString(directory.resolve("enabled_plugins"), managementPort > 0 ? "[rabbitmq_management].\n" : "[].\n",
                        StandardCharsets.UTF_8);
                giveToTheRabbitMqUser(directory);
            }
            ProcessBuilder builder = new ProcessBuilder(server.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("log").resolve("console.log").toFile());
            Map<String, String> environment = builder.environment();
            environment.put("RABBITMQ_NODENAME", nodeName);
            environment.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
            environment.put("RABBITMQ_DIST_PORT", Integer.toString(distributionPort));
            environment.put("RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq.conf").toString());
            environment.put("RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString());
            environment.put("RABBITMQ_LOG_BASE", directory.resolve("log").toString());
            environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString());
            environment.put("RABBITMQ_PID_FILE", directory.resolve("node.pid").toString());
            log.info("{} RabbitMQ node {} (AMQP 127.0.0.1:{}, distribution {}{}) in {}", restart ? "restarting" : "starting",
                    nodeName, amqpPort, distributionPort, managementPort > 0 ? ", management " + managementPort : "", directory);
            if (restart) {
                // appended to, not replaced: the console of the run before the kill stays readable
                builder.redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("log").resolve("console.log").toFile()));
            }
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            cleanUpAfterFailedStart();
            throw new UncheckedIOException("could not start " + server + " for node " + nodeName + ": " + e.getMessage(), e);
        }
        if (shutdownHook == null) { // a restart after kill() keeps the hook it has
            shutdownHook = new Thread(this::destroy, "eventbus-testkit-stop-" + nodeName);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        try {
            awaitUntil(deadline, "accept AMQP connections on 127.0.0.1:" + amqpPort, this::acceptsAmqp);
            if (managementPort > 0) {
                awaitUntil(deadline, "answer HTTP on 127.0.0.1:" + managementPort, this::answersHttp);
            }
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        log.info("RabbitMQ node {} is up at {}", nodeName, amqpUri().replace("guest:guest@", "guest:****@"));
        return this;
    }

    /**
     * Stops the node if this object started it, waits for its process to end and deletes its directory. Blocks while
     * the node shuts down (a few seconds). Does nothing if it is not started.
     */
    public synchronized void stop() {
        if (process == null) {
            removeShutdownHook();
            deleteDirectory(); // the directory a kill() kept, if any
            return;
        }
        CtlRunner.Result result = null;
        try {
            result = LocalCtlRunner.discover().onNode(nodeName).run(List.of("stop"), Duration.ofSeconds(60));
        } catch (RabbitMqCtlException e) {
            log.warn("rabbitmqctl -n {} stop failed: {}", nodeName, e.getMessage());
        }
        if (result != null && result.exitCode() != 0) {
            log.warn("rabbitmqctl -n {} stop exited with {}: {}", nodeName, result.exitCode(), (result.stderr() + result.stdout()).strip());
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                log.warn("node {} did not stop within 30 s: killing its processes", nodeName);
                destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroy();
        }
        process = null;
        removeShutdownHook();
        deleteDirectory();
        log.info("RabbitMQ node {} stopped", nodeName);
    }

    private void removeShutdownHook() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already: the hook runs or has run
            }
            shutdownHook = null;
        }
    }

    /**
     * Ends the node as a crash would: {@code kill -9} of its Erlang VM (and of the processes the start script ran),
     * without a word to its clients or peers; waits until the processes are gone. Its directory is kept, so that
     * {@link #start(Duration)} restarts the same node with its data; {@link #stop()} deletes it. Does nothing if the
     * node is not running.
     */
    public synchronized void kill() {
        Process running = process;
        if (running == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(running.descendants().toList());
        tree.add(running.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly); // SIGKILL
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the killed node " + nodeName + " to exit", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("process " + handle.pid() + " of node " + nodeName + " did not exit within 30 s "
                        + "of kill -9", e);
            }
        }
        process = null;
        log.info("RabbitMQ node {} killed (kill -9 of {} processes); its directory {} is kept for a restart", nodeName,
                tree.size(), directory);
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** Whether this object started the node and has not stopped or killed it. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The node's name, as {@code rabbitmqctl -n} takes it, e.g. {@code eventbus-second@localhost}. */
    public String nodeName() {
        return nodeName;
    }

    /** The node's AMQP port. */
    public int amqpPort() {
        return amqpPort;
    }

    /** The AMQP URI of the node's default virtual host, as guest: {@code amqp://guest:guest@127.0.0.1:<port>}. */
    public String amqpUri() {
        return "amqp://guest:guest@127.0.0.1:" + amqpPort;
    }

    /** The management API's URL, {@code http://127.0.0.1:<port>}, if the node has a management port. */
    public Optional<String> managementUri() {
        return managementPort > 0 ? Optional.of("http://127.0.0.1:" + managementPort) : Optional.empty();
    }

    /** The installation's {@code rabbitmqctl}, managing this node ({@code -n <node>}) and one of its virtual hosts. */
    public RabbitMqCtl ctl(String virtualHost) {
        return new RabbitMqCtl(LocalCtlRunner.discover().onNode(nodeName), virtualHost, RabbitMqCtl.DEFAULT_TIMEOUT, amqpPort);
    }

    /** Where the node keeps its configuration, data and logs while it runs; empty when it is not started. */
    public synchronized Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    @Override
    public String toString() {
        return "LocalNode[" + nodeName + ", AMQP " + amqpPort + ", distribution " + distributionPort
                + (managementPort > 0 ? ", management " + managementPort : "") + "]";
    }

    private String config() {
        List<String> lines = new ArrayList<>();
        lines.add("# written by eventbus-testkit LocalNode for node " + nodeName);
        lines.add("listeners.tcp.local = 127.0.0.1:" + amqpPort);
        if (managementPort > 0) {
            lines.add("management.tcp.ip = 127.0.0.1");
            lines.add("management.tcp.port = " + managementPort);
        }
        lines.addAll(configLines);
        return String.join("\n", lines) + "\n";
    }

    private boolean acceptsAmqp() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(amqpPort);
        factory.setConnectionTimeout(1_000);
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection connection = factory.newConnection("eventbus-testkit-node-probe")) {
            return connection.isOpen();
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private boolean answersHttp() {
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build().send(
                    HttpRequest.newBuilder(URI.create(managementUri().orElseThrow() + "/api/overview"))
                            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                    "guest:guest".getBytes(StandardCharsets.UTF_8)))
                            .timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void awaitUntil(long deadline, String what, java.util.function.BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node " + nodeName + " exited with " + process.exitValue() + " before it would "
                        + what + "; its output ends with:\n" + consoleTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + nodeName + " did not " + what + " in time; its output ends with:\n"
                        + consoleTail());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for node " + nodeName + " to " + what, e);
            }
        }
    }

    private String consoleTail() {
        try {
            List<String> lines = Files.readAllLines(directory.resolve("log").resolve("console.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Kills the node's processes (the script, the su in between, the Erlang VM). */
    private void destroy() {
        Process running = process;
        if (running != null && running.isAlive()) {
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
        }
    }

    private void cleanUpAfterFailedStart() {
        process = null;
        deleteDirectory();
    }

    private void deleteDirectory() {
        Path dir = directory;
        directory = null;
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path visited, IOException failure) throws IOException {
                    Files.delete(visited);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("could not delete the directory {} of node {}: {}", dir, nodeName, e.toString());
        }
    }

    /**
     * Run as root, the installation's {@code rabbitmq-server} runs the node as the {@code rabbitmq} user, which must
     * own the directory. As anyone else the node runs as that user, who owns it already.
     */
    private static void giveToTheRabbitMqUser(Path dir) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user;
        GroupPrincipal group;
        try {
            user = lookup.lookupPrincipalByName("rabbitmq");
            group = lookup.lookupPrincipalByGroupName("rabbitmq");
        } catch (UserPrincipalNotFoundException e) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.toList()) {
                PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
                view.setOwner(user);
                view.setGroup(group);
            }
        }
    }

    /** Builds a {@link LocalNode}; not thread-safe. */
    public static final class Builder {

        private String nodeName;
        private int amqpPort;
        private int distributionPort;
        private int managementPort;
        private final List<String> configLines = new ArrayList<>();

        private Builder() {
        }

        /**
         * The node name, {@code name@host}, e.g. {@code eventbus-second@localhost}; no default. It must differ from
         * every other node of the machine.
         *
         * @param name the node name
         * @return this builder
         */
        public Builder nodeName(String name) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[A-Za-z0-9_-]+@[A-Za-z0-9._-]+")) {
                throw new ConfigurationException("node name '" + name + "' is not name@host (letters, digits, _ and -), "
                        + "e.g. eventbus-second@localhost");
            }
            this.nodeName = name;
            return this;
        }

        /**
         * The AMQP port, on 127.0.0.1; no default.
         *
         * @param port a free TCP port
         * @return this builder
         */
        public Builder amqpPort(int port) {
            this.amqpPort = port(port, "AMQP");
            return this;
        }

        /**
         * The Erlang distribution port, through which {@code rabbitmqctl} and other nodes talk to it; no default.
         *
         * @param port a free TCP port
         * @return this builder
         */
        public Builder distributionPort(int port) {
            this.distributionPort = port(port, "distribution");
            return this;
        }

        /**
         * The management API's port, with the plugin enabled; default none (0): no plugin, no HTTP.
         *
         * @param port a free TCP port, or 0 for none
         * @return this builder
         */
        public Builder managementPort(int port) {
            this.managementPort = port == 0 ? 0 : port(port, "management");
            return this;
        }

        /**
         * A line to add to the node's {@code rabbitmq.conf}, e.g. {@code cluster_formation...}; default none.
         *
         * @param line a {@code key = value} line of RabbitMQ's configuration format
         * @return this builder
         */
        public Builder configLine(String line) {
            configLines.add(Objects.requireNonNull(line, "line"));
            return this;
        }

        /**
         * The node, not started.
         *
         * @return a new node
         * @throws ConfigurationException if the name or a port is missing, or two ports are equal
         */
        public LocalNode build() {
            if (nodeName == null || amqpPort == 0 || distributionPort == 0) {
                throw new ConfigurationException("a local node needs a node name, an AMQP port and a distribution port: "
                        + "LocalNode.builder().nodeName(\"eventbus-second@localhost\").amqpPort(5681).distributionPort(25681)");
            }
            if (amqpPort == distributionPort || amqpPort == managementPort || distributionPort == managementPort) {
                throw new ConfigurationException("the ports of node " + nodeName + " must differ: AMQP " + amqpPort
                        + ", distribution " + distributionPort + ", management " + managementPort);
            }
            return new LocalNode(this);
        }

        private static int port(int port, String what) {
            if (port < 1 || port > 65535) {
                throw new ConfigurationException(what + " port " + port + " is not a TCP port (1-65535)");
            }
            return port;
        }
    }
}
