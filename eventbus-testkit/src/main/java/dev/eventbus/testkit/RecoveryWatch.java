package dev.eventbus.testkit;

import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoverableConnection;
import com.rabbitmq.client.RecoveryListener;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the recoveries of one auto-recovering amqp-client connection from the moment it is created, so
 * that a test can cut the connection and then wait for the recovery without missing one that
 * completed in between. Thread-safe; {@link #close()} stops watching.
 *
 * <pre>{@code
 * try (RecoveryWatch watch = Faults.watchRecovery(connection)) {
 *     Faults.closeConnectionsNamed(broker, broker.connectionNamePrefix());
 *     watch.awaitRecovered(Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class RecoveryWatch implements AutoCloseable {

    private final RecoverableConnection connection;
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final RecoveryListener listener = new RecoveryListener() {
        @Override
        public void handleRecovery(Recoverable recoverable) {
            completed.incrementAndGet();
        }

        @Override
        public void handleRecoveryStarted(Recoverable recoverable) {
            started.incrementAndGet();
        }
    };

    RecoveryWatch(RecoverableConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
        connection.addRecoveryListener(listener);
    }

    /** How many recoveries started since this watch was created. */
    public int recoveriesStarted() {
        return started.get();
    }

    /** How many recoveries completed since this watch was created. */
    public int recoveriesCompleted() {
        return completed.get();
    }

    /**
     * Waits until at least one recovery completed since this watch was created and the connection is
     * open. Blocks up to the timeout.
     *
     * @throws AssertionError on timeout, saying how many recoveries started and completed and whether the connection is open
     */
    public void awaitRecovered(Duration timeout) {
        awaitRecoveries(1, timeout);
    }

    /**
     * Waits until at least {@code count} recoveries completed since this watch was created and the
     * connection is open. Blocks up to the timeout.
     *
     * @throws AssertionError on timeout, with what was observed
     */
    public void awaitRecoveries(int count, Duration timeout) {
        Await.until("connection '" + connection.getClientProvidedName() + "' to recover " + count + " time(s)", timeout,
                () -> completed.get() >= count && connection.isOpen(), this::observed);
    }

    private String observed() {
        return started.get() + " recoveries started, " + completed.get() + " completed, connection "
                + (connection.isOpen() ? "open" : "closed (" + connection.getCloseReason() + ")");
    }

    /** Stops watching. Idempotent. */
    @Override
    public void close() {
        connection.removeRecoveryListener(listener);
    }
}
