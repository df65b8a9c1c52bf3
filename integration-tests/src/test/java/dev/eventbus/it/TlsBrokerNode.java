package dev.eventbus.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of its own with a TLS listener, started from the local installation for {@link TlsIT}: node
 * {@value #NODE}, AMQP on {@value #AMQP_PORT} (127.0.0.1), AMQPS on {@value #AMQPS_PORT}, distribution on
 * {@value #DIST_PORT}. Its configuration, data and logs live in a directory the caller gives (a temporary one), so it
 * never touches the default node or its {@code /etc/rabbitmq/rabbitmq.conf}; it uses the installation's Erlang cookie.
 * It runs as user {@code rabbitmq}, so the test JVM must run as root or as that user.
 *
 * <p>Not thread-safe: one test class starts and stops it.
 */
final class TlsBrokerNode implements AutoCloseable {

    static final String NODE = "eventbus-tls@localhost";
    static final int AMQP_PORT = 5691;
    static final int AMQPS_PORT = 5692;
    static final int DIST_PORT = 25691;

    private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
    private static final Path CTL = Path.of("/usr/lib/rabbitmq/bin/rabbitmqctl");
    private static final Path HOME = Path.of("/var/lib/rabbitmq");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path directory;
    private Process process;

    private TlsBrokerNode(Path directory) {
        this.directory = directory;
    }

    /** Why the node cannot be started here, or empty if it can. */
    static Optional<String> unavailableReason() {
        if (!Files.isExecutable(SERVER) || !Files.isExecutable(CTL)) {
            return Optional.of("RabbitMQ is not installed here (no " + SERVER + ")");
        }
        if (!Files.exists(HOME.resolve(".erlang.cookie"))) {
            return Optional.of("the installation's Erlang cookie " + HOME.resolve(".erlang.cookie") + " is missing");
        }
        if (!"root".equals(System.getProperty("user.name")) && !"rabbitmq".equals(System.getProperty("user.name"))) {
            return Optional.of("the node runs as user rabbitmq: run the tests as root or rabbitmq");
        }
        if (accepting(AMQPS_PORT) || accepting(AMQP_PORT)) {
            return Optional.of("ports " + AMQP_PORT + "/" + AMQPS_PORT + " are taken (a node left over? rabbitmqctl -n " + NODE + " stop)");
        }
        return Optional.empty();
    }

    /**
     * Starts the node with the given PEM files for its TLS listener, and waits until it accepts TLS connections.
     *
     * @throws IllegalStateException if it did not start in time, with the end of its log
     */
    static TlsBrokerNode start(Path directory, Path caCertificate, Path certificate, Path key) throws IOException, InterruptedException {
        TlsBrokerNode node = new TlsBrokerNode(directory);
        node.launch(caCertificate, certificate, key);
        return node;
    }

    private void launch(Path caCertificate, Path certificate, Path key) throws IOException, InterruptedException {
        Path config = directory.resolve("rabbitmq.conf");
        Files.writeString(config, String.join("\n",
                "listeners.tcp.local = 127.0.0.1:" + AMQP_PORT,
                "listeners.ssl.default = " + AMQPS_PORT,
                "ssl_options.cacertfile = " + caCertificate,
                "ssl_options.certfile = " + certificate,
                "ssl_options.keyfile = " + key,
                "ssl_options.verify = verify_none",
                "ssl_options.fail_if_no_peer_cert = false",
                "") );
        Files.writeString(directory.resolve("enabled_plugins"), "[].\n");
        Files.writeString(directory.resolve("rabbitmq-env.conf"), "ERL_EPMD_ADDRESS=127.0.0.1\n");
        Files.createDirectories(directory.resolve("mnesia"));
        Files.createDirectories(directory.resolve("log"));
        if ("root".equals(System.getProperty("user.name"))) {
            run(List.of("chown", "-R", "rabbitmq:rabbitmq", directory.toString()), Duration.ofSeconds(30));
            run(List.of("chmod", "755", directory.toString()), Duration.ofSeconds(30));
        }
        List<String> command = asRabbitmq(SERVER.toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(directory.resolve("log").resolve("console.log").toFile());
        environment(builder.environment(), config);
        process = builder.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepting(AMQPS_PORT)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = tail(directory.resolve("log").resolve("console.log"));
                close();
                throw new IllegalStateException("the TLS node " + NODE + " did not start within " + START_TIMEOUT
                        + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")") + "; its console:\n" + log);
            }
            Thread.sleep(250);
        }
    }

    private void environment(Map<String, String> env, Path config) {
        env.put("HOME", HOME.toString());
        env.put("RABBITMQ_CONFIG_FILE", config.toString());
        env.put("RABBITMQ_CONF_ENV_FILE", directory.resolve("rabbitmq-env.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", directory.resolve("advanced.config").toString());
        env.put("RABBITMQ_NODENAME", NODE);
        env.put("RABBITMQ_NODE_PORT", Integer.toString(AMQP_PORT));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(DIST_PORT));
        env.put("RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", directory.resolve("log").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_PID_FILE", directory.resolve("node.pid").toString());
    }

    private static List<String> asRabbitmq(String... command) {
        List<String> full = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // runuser keeps the environment given to it with --preserve-environment
            full.addAll(List.of("runuser", "--preserve-environment", "-u", "rabbitmq", "--"));
        }
        full.addAll(List.of(command));
        return full;
    }

    /** Stops the node (rabbitmqctl stop, then kill if it lingers) and waits for it. Idempotent. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            ProcessBuilder stop = new ProcessBuilder(asRabbitmq(CTL.toString(), "-n", NODE, "stop")).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            environment(stop.environment(), directory.resolve("rabbitmq.conf"));
            Process stopping = stop.start();
            stopping.waitFor(30, TimeUnit.SECONDS);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    static boolean accepting(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a command, failing with its output if it exits non-zero. */
    static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no console log: " + e.getMessage() + ")";
        }
    }
}
