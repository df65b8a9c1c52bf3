package dev.eventbus.testkit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Command;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.EventBusException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Deletes queues and exchanges over AMQP, on one connection kept for the whole test run, all at once: a few
 * milliseconds in all, with no {@code rabbitmqctl} and no management API. Deleting a name that does not exist
 * succeeds (RabbitMQ's deletes are idempotent), so the testkit may delete every name it knows of.
 *
 * <p>Thread-safe: tests running in parallel share the connection, each deletion has a channel of its own. A
 * connection closed under it (a fault test closing every connection) is opened again, once per run of deletions.
 */
final class BrokerCleanup implements AutoCloseable {

    /** The client-provided name of the connection, as {@code rabbitmqctl list_connections} shows it. */
    static final String CONNECTION_NAME = "eventbus-testkit-cleanup";

    private static final int PARALLEL = 64;
    private static final int TIMEOUT_SECONDS = 30;

    private final Supplier<ConnectionFactory> factory;
    private final String describedBroker;
    private Connection connection; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param factory         connection factories for the broker's virtual host
     * @param describedBroker the broker as messages name it (URI without password)
     */
    BrokerCleanup(Supplier<ConnectionFactory> factory, String describedBroker) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.describedBroker = Objects.requireNonNull(describedBroker, "describedBroker");
    }

    /**
     * Deletes the queues, then the exchanges. Blocks while deleting.
     *
     * @return what could not be deleted, one entry per name with the broker's reason; empty when all are gone
     * @throws EventBusException if the broker cannot be reached at all
     */
    List<String> delete(Collection<String> queues, Collection<String> exchanges) {
        List<String> failures = new ArrayList<>();
        if (queues.isEmpty() && exchanges.isEmpty()) {
            return failures;
        }
        List<Deletion> deletions = new ArrayList<>();
        queues.forEach(queue -> deletions.add(new Deletion("queue", queue)));
        exchanges.forEach(exchange -> deletions.add(new Deletion("exchange", exchange)));
        try {
            run(deletions, failures);
        } catch (ConnectionLost e) {
            // closed under us (e.g. a test closed every connection of the vhost): once more, on a new connection
            List<Deletion> rest = deletions.subList(e.next, deletions.size());
            try {
                run(rest, failures);
            } catch (ConnectionLost again) {
                throw new EventBusException("the connection to " + describedBroker + " closed twice while deleting what the "
                        + "tests declared; not deleted: " + rest.subList(again.next, rest.size()));
            }
        }
        return failures;
    }

    /**
     * Deletes in parallel, each name on a channel of its own: the broker deletes queues concurrently, one Erlang process
     * per queue, where one channel would take them one after the other.
     */
    private void run(List<Deletion> deletions, List<String> failures) {
        Connection current = connection();
        for (int from = 0; from < deletions.size(); from += PARALLEL) {
            List<Deletion> batch = deletions.subList(from, Math.min(deletions.size(), from + PARALLEL));
            List<Channel> channels = new ArrayList<>();
            List<CompletableFuture<Command>> replies = new ArrayList<>();
            try {
                for (int i = 0; i < batch.size(); i++) {
                    try {
                        Channel channel = current.createChannel();
                        channels.add(channel);
                        replies.add(channel.asyncCompletableRpc(batch.get(i).method()));
                    } catch (IOException | ShutdownSignalException e) {
                        throw new ConnectionLost(from);
                    }
                }
                for (int i = 0; i < batch.size(); i++) {
                    try {
                        replies.get(i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (!current.isOpen()) {
                            throw new ConnectionLost(from);
                        }
                        // the broker refused this one and closed its channel: say why, go on with the others
                        failures.add(batch.get(i) + " (" + reason(e.getCause()) + ")");
                    } catch (TimeoutException e) {
                        failures.add(batch.get(i) + " (no answer within " + TIMEOUT_SECONDS + " s)");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new EventBusException("interrupted while deleting what the tests declared on " + describedBroker, e);
                    }
                }
            } finally {
                channels.forEach(BrokerCleanup::closeQuietly);
            }
        }
    }

    private synchronized Connection connection() {
        if (closed) {
            throw new IllegalStateException("the cleanup connection to " + describedBroker + " was closed at the end of the run");
        }
        if (connection == null || !connection.isOpen()) {
            ConnectionFactory connectionFactory = factory.get();
            connectionFactory.setAutomaticRecoveryEnabled(false);
            connectionFactory.setConnectionTimeout(5_000);
            try {
                connection = connectionFactory.newConnection(CONNECTION_NAME);
            } catch (IOException | TimeoutException e) {
                throw new EventBusException("could not connect to " + describedBroker + " to delete what the tests declared: "
                        + reason(e) + "; check that the broker runs", e);
            }
        }
        return connection;
    }

    /** Closes the connection; called once, at the end of the run. */
    @Override
    public synchronized void close() {
        closed = true;
        if (connection != null && connection.isOpen()) {
            connection.abort(2_000);
        }
        connection = null;
    }

    private static void closeQuietly(Channel channel) {
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | ShutdownSignalException e) {
                // the deletions are done; a channel that cannot close cleanly changes nothing
            }
        }
    }

    private static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        if (cause instanceof ShutdownSignalException signal && signal.getReason() != null) {
            return signal.getReason().toString();
        }
        if (e.getCause() instanceof ShutdownSignalException signal && signal.getReason() != null) {
            return signal.getReason().toString();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** One queue or exchange to delete. */
    private record Deletion(String kind, String name) {

        Method method() {
            return kind.equals("queue") ? new AMQP.Queue.Delete.Builder().queue(name).build()
                    : new AMQP.Exchange.Delete.Builder().exchange(name).build();
        }

        @Override
        public String toString() {
            return kind + " " + name;
        }
    }

    /** The connection closed at deletion {@link #next}, which is to be done again. */
    private static final class ConnectionLost extends RuntimeException {

        private final int next;

        ConnectionLost(int next) {
            super(null, null, false, false);
            this.next = next;
        }
    }
}
