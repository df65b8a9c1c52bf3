package dev.eventbus.testkit;

import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@code rabbitmqctl} inside a running broker container with {@code docker exec}. Thread-safe:
 * every run is its own exec, on a daemon thread so that the timeout can be enforced.
 */
final class ContainerCtlRunner implements CtlRunner {

    private final GenericContainer<?> container;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "eventbus-testkit-rabbitmqctl-exec");
        thread.setDaemon(true);
        return thread;
    });

    ContainerCtlRunner(GenericContainer<?> container) {
        this.container = container;
    }

    @Override
    public Result run(List<String> arguments, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add("rabbitmqctl");
        command.addAll(arguments);
        Future<Container.ExecResult> exec = executor.submit(() -> container.execInContainer(command.toArray(String[]::new)));
        try {
            Container.ExecResult result = exec.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(result.getExitCode(), result.getStdout(), result.getStderr());
        } catch (TimeoutException e) {
            exec.cancel(true);
            throw new RabbitMqCtlException("'" + String.join(" ", command) + "' in container " + describe()
                    + " did not finish within " + timeout + ": check the container's logs (docker logs)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RabbitMqCtlException("interrupted while waiting for '" + String.join(" ", command) + "'", e);
        } catch (ExecutionException e) {
            throw new RabbitMqCtlException("could not run '" + String.join(" ", command) + "' in container " + describe()
                    + ": " + e.getCause().getMessage() + "; check that the container is still running", e.getCause());
        }
    }

    @Override
    public Optional<String> unavailableReason() {
        return container.isRunning() ? Optional.empty()
                : Optional.of("the broker container " + describe() + " is not running");
    }

    @Override
    public String describe() {
        String id = container.getContainerId();
        return id == null ? container.getDockerImageName() : id.substring(0, Math.min(12, id.length()));
    }
}
