package dev.eventbus.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs the {@code rabbitmqctl} binary of this machine. Thread-safe: every run is its own process.
 *
 * <p>The binary is the one named by {@code EVENTBUS_RABBITMQCTL} (or system property
 * {@code eventbus.rabbitmqctl}), else the first {@code rabbitmqctl} on the {@code PATH} or in the usual
 * install directories. It manages the node named by {@code EVENTBUS_RABBITMQ_NODE} (or {@code eventbus.rabbitmq.node},
 * passed as {@code -n <node>}), else the installation's default node.
 */
final class LocalCtlRunner implements CtlRunner {

    static final String PATH_VARIABLE = "EVENTBUS_RABBITMQCTL";
    static final String PATH_PROPERTY = "eventbus.rabbitmqctl";
    static final String NODE_VARIABLE = "EVENTBUS_RABBITMQ_NODE";
    static final String NODE_PROPERTY = "eventbus.rabbitmq.node";

    private static final List<String> USUAL_DIRECTORIES = List.of("/usr/sbin", "/usr/local/sbin", "/usr/lib/rabbitmq/bin",
            "/opt/homebrew/sbin", "/opt/rabbitmq/sbin");

    private final Path binary;
    private final String node;
    private final String missingReason;

    private LocalCtlRunner(Path binary, String node, String missingReason) {
        this.binary = binary;
        this.node = node;
        this.missingReason = missingReason;
    }

    /** A runner of the binary found from the environment, system properties and {@code PATH}. */
    static LocalCtlRunner discover() {
        return discover(System::getenv, System::getProperty);
    }

    /** A runner of the binary found through the given lookups (for tests). */
    static LocalCtlRunner discover(Function<String, String> environment, Function<String, String> systemProperties) {
        String node = firstNonBlank(systemProperties.apply(NODE_PROPERTY), environment.apply(NODE_VARIABLE));
        String explicit = firstNonBlank(systemProperties.apply(PATH_PROPERTY), environment.apply(PATH_VARIABLE));
        if (explicit != null) {
            Path path = Path.of(explicit);
            if (Files.isExecutable(path)) {
                return new LocalCtlRunner(path, node, null);
            }
            return new LocalCtlRunner(null, node, "rabbitmqctl '" + explicit + "' named by " + PATH_VARIABLE + " / -D" + PATH_PROPERTY
                    + " is not an executable file: point it at the rabbitmqctl of the broker's installation");
        }
        return findExecutable("rabbitmqctl", environment)
                .map(path -> new LocalCtlRunner(path, node, null))
                .orElseGet(() -> new LocalCtlRunner(null, node, "no rabbitmqctl found on the PATH or in " + USUAL_DIRECTORIES
                        + ": install RabbitMQ's CLI tools on this machine, or set " + PATH_VARIABLE + " to the path of rabbitmqctl"));
    }

    /**
     * The first executable of that name on the {@code PATH} or in the usual directories of a RabbitMQ installation
     * ({@code /usr/sbin}, {@code /usr/local/sbin}, {@code /usr/lib/rabbitmq/bin}, Homebrew's, {@code /opt/rabbitmq/sbin}).
     */
    static Optional<Path> findExecutable(String name, Function<String, String> environment) {
        List<String> directories = new ArrayList<>();
        String pathVariable = environment.apply("PATH");
        if (pathVariable != null) {
            directories.addAll(List.of(pathVariable.split(java.io.File.pathSeparator)));
        }
        directories.addAll(USUAL_DIRECTORIES);
        for (String directory : directories) {
            if (directory.isBlank()) {
                continue;
            }
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The same binary, managing the named node ({@code rabbitmqctl -n <node>}). */
    LocalCtlRunner onNode(String nodeName) {
        return new LocalCtlRunner(binary, Objects.requireNonNull(nodeName, "nodeName"), missingReason);
    }

    /** A runner that runs nothing and reports why. */
    static LocalCtlRunner unavailable(String reason) {
        return new LocalCtlRunner(null, null, reason);
    }

    private static String firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first.strip();
        }
        return second != null && !second.isBlank() ? second.strip() : null;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(missingReason);
    }

    @Override
    public String describe() {
        return (binary == null ? "rabbitmqctl (not found)" : binary.toString()) + (node == null ? "" : " -n " + node);
    }

    @Override
    public Result run(List<String> arguments, Duration timeout) {
        if (binary == null) {
            throw new RabbitMqCtlException(missingReason);
        }
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        if (node != null) {
            command.add("-n");
            command.add(node);
        }
        command.addAll(arguments);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new RabbitMqCtlException("could not start " + String.join(" ", command) + ": " + e.getMessage()
                    + "; check that " + binary + " runs for the current user", e);
        }
        // Both streams are drained concurrently so that a full pipe never blocks the process.
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new RabbitMqCtlException("'" + String.join(" ", command) + "' did not finish within " + timeout
                        + ": check that the broker node is running (rabbitmqctl status) and that this user can reach it (Erlang cookie)");
            }
            return new Result(process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RabbitMqCtlException("interrupted while waiting for '" + String.join(" ", command) + "'", e);
        } catch (ExecutionException e) {
            throw new RabbitMqCtlException("could not read the output of '" + String.join(" ", command) + "': "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
