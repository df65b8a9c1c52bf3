package dev.eventbus.rabbitmq;

import java.time.Duration;
import java.util.List;

/**
 * One completed automatic recovery of a connection, as the amqp-client reported it: handed to the callbacks given to
 * {@link RabbitMqEventBusBuilder#onConnectionRecovery} and summarised in one WARN line per recovery.
 *
 * @param connectionName  the client-provided name of the connection, e.g. {@code orders-publisher}
 * @param lostBecause     why the connection was lost (the client's shutdown reason)
 * @param failedAttempts  connection attempts that failed before one succeeded
 * @param took            from the loss to the end of the recovery
 * @param problems        what the client reported while recovering channels and topology (empty when all went well)
 */
public record ConnectionRecovery(String connectionName, String lostBecause, int failedAttempts, Duration took,
                                 List<String> problems) {

    public ConnectionRecovery {
        problems = List.copyOf(problems);
    }
}
