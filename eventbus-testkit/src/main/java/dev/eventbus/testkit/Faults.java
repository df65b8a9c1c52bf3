package dev.eventbus.testkit;

import dev.eventbus.core.HandlerStatus;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.RecoverableConnection;
import dev.eventbus.core.ConfigurationException;

import java.time.Duration;
import java.util.Objects;

/**
 * Failures for resilience tests: connections closed from the broker side, as a broker restart or a
 * network failure would, and waits for the client to recover. Stateless and thread-safe; the
 * {@code close...} methods block while {@code rabbitmqctl} runs.
 *
 * <p>Prefer closing by name: {@link #closeAllConnections} also cuts the connections of tests running in
 * parallel on the same virtual host.
 */
public final class Faults {

    private Faults() {
    }

    /**
     * Closes, from the broker side, every connection of the test broker's virtual host.
     *
     * @return how many connections were closed
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public static int closeAllConnections(TestBroker broker) {
        return broker.ctl().closeAllConnections("closed by eventbus-testkit Faults.closeAllConnections");
    }

    /**
     * Closes, from the broker side, the connections whose client-provided name starts with the prefix,
     * e.g. {@link TestBroker#connectionNamePrefix()} or the name a bus gives its connections.
     *
     * @return how many connections were closed
     * @throws RabbitMqCtlException if {@code rabbitmqctl} is missing or fails
     */
    public static int closeConnectionsNamed(TestBroker broker, String clientProvidedNamePrefix) {
        return broker.ctl().closeConnectionsNamed(clientProvidedNamePrefix);
    }

    /**
     * Closes a bus's connections from the broker side (found by {@link RabbitMqEventBus#connectionName()}), waits
     * until the bus has noticed, then until it has reconnected and every handler consumes again. Blocks up to the
     * timeout.
     *
     * @return how many connections were closed
     * @throws AssertionError if the bus had no open connection, or did not recover in time
     */
    public static int closeBusConnectionsAndAwaitRecovery(TestBroker broker, RabbitMqEventBus bus, Duration timeout) {
        int closed = broker.ctl().closeConnectionsNamed(bus.connectionName() + "-");
        if (closed == 0) {
            throw new AssertionError("the broker has no connection named " + bus.connectionName()
                    + "-*: publish, configure or start the bus first");
        }
        Await.until("bus " + bus.connectionName() + " to notice its connections closed", timeout, () -> !bus.isConnected(),
                () -> "still connected");
        Await.until("bus " + bus.connectionName() + " to recover", timeout,
                () -> bus.isConnected() && bus.health().healthy(),
                () -> "connected " + bus.isConnected() + ", " + bus.health().problems());
        return closed;
    }

    /**
     * Starts counting the recoveries of a connection; create it before cutting the connection.
     *
     * @throws ConfigurationException if the connection does not recover automatically
     */
    public static RecoveryWatch watchRecovery(Connection connection) {
        return new RecoveryWatch(recoverable(connection));
    }

    /**
     * Closes a connection from the broker side (found by its client-provided name) and waits until it
     * recovered. Blocks up to the timeout.
     *
     * @throws ConfigurationException if the connection has no client-provided name or does not recover automatically
     * @throws AssertionError         if the broker had no such connection, or it did not recover in time
     */
    public static void closeAndAwaitRecovery(TestBroker broker, Connection connection, Duration timeout) {
        String name = connection.getClientProvidedName();
        if (name == null || name.isEmpty()) {
            throw new ConfigurationException("the connection has no client-provided name, so the broker side cannot find it: "
                    + "open it with ConnectionFactory.newConnection(name) or TestBroker.newConnection()");
        }
        try (RecoveryWatch watch = watchRecovery(connection)) {
            int closed = closeConnectionsNamed(broker, name);
            if (closed == 0) {
                throw new AssertionError("expected the broker to have a connection named '" + name
                        + "' to close; observed: none on virtual host " + broker.virtualHost());
            }
            watch.awaitRecovered(timeout);
        }
    }

    /**
     * Waits until a connection is open (again). Blocks up to the timeout.
     *
     * @throws AssertionError on timeout, with the connection's close reason
     */
    public static void awaitConnectionOpen(Connection connection, Duration timeout) {
        Objects.requireNonNull(connection, "connection");
        Await.until("connection '" + connection.getClientProvidedName() + "' to be open", timeout, connection::isOpen,
                () -> "closed: " + connection.getCloseReason());
    }

    private static RecoverableConnection recoverable(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        if (connection instanceof RecoverableConnection recoverable) {
            return recoverable;
        }
        throw new ConfigurationException("connection '" + connection.getClientProvidedName() + "' does not recover automatically ("
                + connection.getClass().getName() + "): enable ConnectionFactory.setAutomaticRecoveryEnabled(true), as "
                + "TestBroker.connectionFactory() does");
    }
}
