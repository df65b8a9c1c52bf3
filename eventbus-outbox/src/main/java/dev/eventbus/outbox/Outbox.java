package dev.eventbus.outbox;

import dev.eventbus.core.EventBusException;
import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.Message;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.core.pipeline.EncodedPublisher;
import dev.eventbus.core.pipeline.PublishPipeline;
import dev.eventbus.outbox.internal.Notifications;
import dev.eventbus.outbox.internal.OutboxTable;
import dev.eventbus.outbox.internal.Relay;
import dev.eventbus.outbox.internal.SqlName;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A transactional outbox: messages are written to a table in the caller's database transaction and sent to the bus by
 * a relay after it commits, so a message leaves if and only if the business change it describes is committed.
 *
 * <pre>{@code
 * Outbox outbox = Outbox.builder(dataSource, bus).build();
 * outbox.createTable();                                   // or run Outbox.schemaScript(...) in your migrations
 * outbox.start();                                         // the relay, in this process
 * outbox.inTransaction(connection -> {
 *     debit(connection, account, amount);                 // the business's own statements
 *     outbox.publish(connection, new AccountDebited(account, amount));
 * });                                                     // both commit, or neither
 * }</pre>
 *
 * <p>{@link #publish(Connection, Object)} checks, validates and encodes the message exactly as {@code bus.publish}
 * would (its exceptions are the same), then inserts it on the caller's connection: with Spring's
 * {@code @Transactional}, jOOQ or plain JDBC, pass the connection of the transaction. Nothing is sent if the transaction
 * rolls back. The relay ({@link #start()}) sends waiting rows in batches with the bus's confirms and deletes each row
 * once the broker confirmed it: at least once, so handlers see a message again after a relay crash; pair them with an
 * {@link Inbox}. Several relays (one per service replica) share a table safely: each row is locked by one of them
 * ({@code FOR UPDATE SKIP LOCKED}). Rows given an ordering key ({@link #publishOrdered}) are sent in the order they were
 * written, per key.
 *
 * <p>Thread-safe: any number of threads may publish; the relay runs on a thread of its own (two on PostgreSQL, which
 * listens for notifications on a connection of its own).
 */
public final class Outbox implements AutoCloseable {

    private final DataSource dataSource;
    private final EncodedPublisher bus;
    private final OutboxBuilder settings;
    private final SqlName name;
    private volatile @Nullable OutboxTable table;
    private volatile @Nullable Relay relay;
    private volatile @Nullable Notifications notifications;

    Outbox(OutboxBuilder builder) {
        this.dataSource = builder.dataSource;
        this.bus = builder.bus;
        this.settings = builder;
        this.name = builder.table;
        if (builder.database != null) {
            this.table = new OutboxTable(name, builder.database);
        }
    }

    /**
     * A builder.
     *
     * @param dataSource where the outbox table is: the relay takes its connections from it, and so does
     *                   {@link #inTransaction}
     * @param bus        the bus whose pipeline encodes messages and that sends them: a {@code RabbitMqEventBus} or an
     *                   {@code InMemoryEventBus}
     */
    public static OutboxBuilder builder(DataSource dataSource, EncodedPublisher bus) {
        return new OutboxBuilder(dataSource, bus);
    }

    /**
     * The schema script of an outbox table: {@code CREATE TABLE IF NOT EXISTS} and its index, for your migration tool.
     *
     * @param table {@code table} or {@code schema.table}: letters, digits and '_'
     * @throws dev.eventbus.core.ConfigurationException if the name is not a plain SQL identifier
     */
    public static String schemaScript(Database database, String table) {
        return new OutboxTable(SqlName.parse(table, "outbox"), Objects.requireNonNull(database, "database")).script();
    }

    /**
     * Creates the outbox table and its index if they do not exist (the {@link #schemaScript}), in one transaction.
     *
     * @throws OutboxException if the database refuses
     */
    public void createTable() {
        OutboxTable outboxTable = table(null);
        dev.eventbus.outbox.internal.SchemaScript.apply(dataSource, outboxTable.script(), name.qualified());
    }

    /**
     * Writes one message (a payload, a {@link Message}, or a {@link List} of them, in order) to the outbox on the
     * caller's connection, in its transaction. Returns at once: the relay sends it after the commit.
     *
     * @throws dev.eventbus.core.MessageEncodingException if a payload is not an event or command (nothing is written)
     * @throws dev.eventbus.core.InvalidMessageException  if the bus's validator rejects it (nothing is written)
     * @throws OutboxException                            if the insert fails: roll the transaction back
     */
    public void publish(Connection connection, Object payloadOrMessages) {
        write(connection, null, payloadOrMessages);
    }

    /**
     * Like {@link #publish(Connection, Object)}, with an ordering key: the relays send the messages of one key in the
     * order they were written (by this and by earlier transactions), one at a time, each once the one before it was
     * confirmed. Use the aggregate's id (an account, an order). Messages without a key are sent in any order.
     *
     * @param orderingKey at most 255 characters
     */
    public void publishOrdered(Connection connection, String orderingKey, Object payloadOrMessages) {
        Objects.requireNonNull(orderingKey, "orderingKey");
        if (orderingKey.isEmpty() || orderingKey.length() > 255) {
            throw new dev.eventbus.core.ConfigurationException("ordering key '" + orderingKey
                    + "' must be 1 to 255 characters: use the id of the aggregate whose messages must stay in order");
        }
        write(connection, orderingKey, payloadOrMessages);
    }

    private void write(Connection connection, @Nullable String orderingKey, Object payloadOrMessages) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(payloadOrMessages, "payload: publish an event or command, not null");
        List<?> items = payloadOrMessages instanceof List<?> list ? list : List.of(payloadOrMessages);
        PublishPipeline pipeline = bus.publishing();
        List<EncodedMessage> encoded = new ArrayList<>(items.size());
        for (Object item : items) {
            Message<?> message = EventPublisher.toMessage(item);
            encoded.add(EncodedMessage.of(pipeline.prepare(message)));
        }
        if (encoded.isEmpty()) {
            return;
        }
        OutboxTable outboxTable = table(connection);
        try {
            outboxTable.insert(connection, encoded, orderingKey);
            if (settings.listen && outboxTable.database() == Database.POSTGRESQL) {
                outboxTable.notifyRelays(connection);
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot write " + encoded.get(0).describe() + (encoded.size() > 1 ? " and "
                    + (encoded.size() - 1) + " more" : "") + " to outbox table " + name + ": " + e.getMessage()
                    + "; roll the transaction back (nothing of it is sent), and check that the table exists (createTable)", e);
        }
    }

    /**
     * Runs work in one transaction on a connection of the outbox's {@link DataSource}: commits if it returns, rolls
     * back if it throws; then wakes this process's relay. For code without a transaction manager; with one, use
     * {@link #publish(Connection, Object)} on its connection.
     *
     * @throws OutboxException  if the database fails (the transaction is rolled back)
     * @throws EventBusException what the work threw, if it is one (rolled back); other exceptions are wrapped in an
     *                           {@link OutboxException}
     */
    public void inTransaction(TransactionWork work) {
        Objects.requireNonNull(work, "work");
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                work.run(connection);
                connection.commit();
            } catch (Exception e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                if (e instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new OutboxException("the transaction's work failed and was rolled back: " + e, e);
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new OutboxException("a transaction on the database of outbox table " + name + " failed: " + e.getMessage()
                    + "; it was rolled back, nothing of it is sent", e);
        }
        Relay running = relay;
        if (running != null) {
            running.wake();
        }
    }

    /**
     * Starts the relay in this process: a thread that sends waiting rows, and on PostgreSQL one that listens for
     * notifications. Idempotent. Start one per service instance; several on one table share the work.
     *
     * @throws OutboxException if the database cannot be reached to learn which it is (when not set on the builder)
     */
    public synchronized void start() {
        if (relay != null) {
            return;
        }
        OutboxTable outboxTable = table(null);
        boolean listening = settings.listen && outboxTable.database() == Database.POSTGRESQL;
        Relay started = newRelay(outboxTable, listening);
        relay = started;
        started.start();
        if (listening) {
            notifications = Notifications.listen(dataSource, name, started::wake, settings.backOff);
        }
    }

    /**
     * Sends what waits now, one batch after another on the calling thread, until a batch sends nothing; for tests,
     * scheduled jobs and processes without a background relay. Safe beside running relays (rows are locked).
     *
     * @return how many messages were sent
     * @throws OutboxException if the database fails
     */
    public int relayPending() {
        Relay once = newRelay(table(null), false);
        int sent = 0;
        try {
            while (true) {
                Relay.Pass pass = once.relayOnce();
                sent += pass.sent();
                if (pass.sent() == 0) {
                    return sent;
                }
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot relay outbox table " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutboxException("interrupted while relaying outbox table " + name, e);
        } finally {
            once.stop(Duration.ZERO);
        }
    }

    private Relay newRelay(OutboxTable outboxTable, boolean listening) {
        Duration poll = settings.pollInterval != null ? settings.pollInterval
                : listening ? OutboxBuilder.LISTENING_POLL_INTERVAL : OutboxBuilder.POLL_INTERVAL;
        return new Relay(dataSource, outboxTable, bus, settings.batchSize, poll, settings.confirmTimeout, settings.backOff,
                settings.observer);
    }

    /**
     * How many messages wait in the table (sent rows are deleted, so this is the backlog, failed ones included).
     *
     * @throws OutboxException if the database fails
     */
    public long pending() {
        try (Connection connection = dataSource.getConnection()) {
            return table(connection).count(connection);
        } catch (SQLException e) {
            throw new OutboxException("cannot count the rows of outbox table " + name + ": " + e.getMessage(), e);
        }
    }

    /** How many messages this process's relay has sent (confirmed and deleted) since {@link #start()}. */
    public long relayed() {
        Relay running = relay;
        return running == null ? 0 : running.relayed();
    }

    /** The outbox table's name, as written in SQL. */
    public String table() {
        return name.qualified();
    }

    /**
     * Stops the relay: the batch in progress finishes (up to the confirm timeout), rows not sent stay for the next
     * relay. Does not stop the bus. Idempotent.
     */
    public synchronized void stop() {
        Relay running = relay;
        relay = null;
        Notifications listening = notifications;
        notifications = null;
        if (listening != null) {
            listening.stop(Duration.ofSeconds(2));
        }
        if (running != null) {
            running.stop(settings.confirmTimeout.plusSeconds(5));
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** The table, its database learned from the given connection, or from one of the data source's. */
    private OutboxTable table(@Nullable Connection connection) {
        OutboxTable known = table;
        if (known != null) {
            return known;
        }
        Database database = Database.of(connection, dataSource, "outbox table " + name);
        OutboxTable learned = new OutboxTable(name, database);
        table = learned;
        return learned;
    }
}
