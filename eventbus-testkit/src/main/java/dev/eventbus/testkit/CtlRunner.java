package dev.eventbus.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs {@code rabbitmqctl} somewhere: as a local process or inside the broker's container.
 * Implementations are thread-safe.
 */
interface CtlRunner {

    /**
     * Runs {@code rabbitmqctl} with the arguments and waits for it.
     *
     * @throws RabbitMqCtlException if it cannot be started or does not finish within the timeout
     */
    Result run(List<String> arguments, Duration timeout);

    /** Why this runner cannot run anything at all (no binary, no container), if that is known up front. */
    Optional<String> unavailableReason();

    /** Where the command runs, for messages: a path or a container id. */
    String describe();

    /**
     * What one run printed.
     *
     * @param exitCode the process's exit code
     * @param stdout   standard output
     * @param stderr   standard error
     */
    record Result(int exitCode, String stdout, String stderr) {

        public Result {
            stdout = stdout == null ? "" : stdout;
            stderr = stderr == null ? "" : stderr;
        }
    }
}
