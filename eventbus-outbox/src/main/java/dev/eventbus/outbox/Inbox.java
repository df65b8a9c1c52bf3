package dev.eventbus.outbox;

import dev.eventbus.core.Delivery;
import dev.eventbus.core.DeliveryHandler;
import dev.eventbus.core.Message;
import dev.eventbus.outbox.internal.InboxTable;
import dev.eventbus.outbox.internal.SchemaScript;
import dev.eventbus.outbox.internal.SqlName;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An idempotent inbox: handlers wrapped by {@link #idempotent} run once per (handler, message id), however often the
 * broker delivers the message. The record of the pair is written in the same transaction as the handler's own database
 * work, so either both commit or neither does: a crash before the commit lets the redelivery run the handler again, a
 * crash after it makes the redelivery a duplicate, acknowledged without running the handler.
 *
 * <pre>{@code
 * Inbox inbox = Inbox.builder(dataSource).retention(Duration.ofDays(7)).build();
 * inbox.createTable();
 * bus.subscribe(Subscription.handling(AccountDebited.class, "book_debit", inbox.idempotent((message, connection) ->
 *         book(connection, message.payload()))));                 // on the inbox's connection, in its transaction
 * }</pre>
 *
 * <p>Records older than the retention are purged (every {@code purgeInterval}, on a thread of the inbox's own, and by
 * {@link #purgeExpired()}): a copy of a message arriving later than that would run the handler again, so keep the
 * retention longer than any redelivery can take (retries, dead letters reprocessed, a relay down). Thread-safe: handlers
 * run on the bus's threads, each delivery on a connection of its own from the data source.
 */
public final class Inbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Inbox.class);

    private final DataSource dataSource;
    private final SqlName name;
    private final Duration retention;
    private final Duration purgeInterval;
    private final AtomicLong duplicates = new AtomicLong();
    private volatile @Nullable InboxTable table;
    private @Nullable ScheduledExecutorService purger;
    private boolean closed;

    Inbox(InboxBuilder builder) {
        this.dataSource = builder.dataSource;
        this.name = builder.table;
        this.retention = builder.retention;
        this.purgeInterval = builder.purgeInterval;
        if (builder.database != null) {
            this.table = new InboxTable(name, builder.database);
        }
    }

    /** A builder; the data source holds the inbox table and the handlers' own tables. */
    public static InboxBuilder builder(DataSource dataSource) {
        return new InboxBuilder(dataSource);
    }

    /**
     * The schema script of an inbox table ({@code CREATE TABLE IF NOT EXISTS} and its index), for your migration tool.
     *
     * @throws dev.eventbus.core.ConfigurationException if the name is not a plain SQL identifier
     */
    public static String schemaScript(Database database, String table) {
        return new InboxTable(SqlName.parse(table, "inbox"), Objects.requireNonNull(database, "database")).script();
    }

    /**
     * Creates the inbox table and its index if they do not exist.
     *
     * @throws OutboxException if the database refuses
     */
    public void createTable() {
        SchemaScript.apply(dataSource, table(null).script(), name.qualified());
    }

    /**
     * Wraps a handler so that it runs once per message id, keyed by the handler name its subscription gives it
     * ({@link Delivery#handler()}). For each delivery: a connection from the data source, a transaction, the record of
     * (handler, message id); if the record exists, the transaction is rolled back and the message acknowledged
     * (a duplicate, counted in {@link #duplicatesSkipped()}); otherwise the handler runs on that connection and the
     * transaction commits when it returns, or rolls back when it throws (and the bus retries or dead-letters as usual).
     * Two copies delivered at the same time: the second waits for the first's transaction (the unique key's lock), then
     * is a duplicate if it committed (H2 may instead time out the wait: the copy is retried, then a duplicate).
     *
     * <p>Also starts the purge of expired records, if it runs on a schedule.
     */
    public <T> DeliveryHandler<T> idempotent(InboxHandler<T> handler) {
        Objects.requireNonNull(handler, "handler");
        startPurging();
        return (message, delivery) -> handleOnce(handler, message, delivery);
    }

    private <T> void handleOnce(InboxHandler<T> handler, Message<T> message, Delivery delivery) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            InboxTable inbox = table(connection);
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                if (!inbox.record(connection, delivery.handler(), message.id(), Instant.now())) {
                    connection.rollback();
                    duplicates.incrementAndGet();
                    log.debug("{} handled by {} already (inbox {}): acknowledged without running the handler",
                            message.describe(), delivery.handler(), name);
                    return;
                }
                handler.handle(message, connection);
                connection.commit();
            } catch (Exception | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                restore(connection, autoCommit);
            }
        }
    }

    private static void restore(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            // a broken connection: it is closed next, and a pool discards it
        }
    }

    /**
     * Whether the handler has handled the message (its record is in the inbox and not yet purged).
     *
     * @throws OutboxException if the database fails
     */
    public boolean hasHandled(String handlerName, String messageId) {
        try (Connection connection = dataSource.getConnection()) {
            return table(connection).contains(connection, handlerName, messageId);
        } catch (SQLException e) {
            throw new OutboxException("cannot read inbox table " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the records older than the retention, now.
     *
     * @return how many were deleted
     * @throws OutboxException if the database fails
     */
    public int purgeExpired() {
        try (Connection connection = dataSource.getConnection()) {
            return table(connection).purge(connection, Instant.now().minus(retention));
        } catch (SQLException e) {
            throw new OutboxException("cannot purge inbox table " + name + ": " + e.getMessage(), e);
        }
    }

    /** How many deliveries this inbox acknowledged as duplicates without running their handler. */
    public long duplicatesSkipped() {
        return duplicates.get();
    }

    /** The inbox table's name, as written in SQL. */
    public String table() {
        return name.qualified();
    }

    private synchronized void startPurging() {
        if (purger != null || closed || purgeInterval.isZero()) {
            return;
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "eventbus-inbox-purge-" + name);
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                int purged = purgeExpired();
                log.debug("inbox {}: {} records older than {} purged", name, purged, retention);
            } catch (RuntimeException e) {
                log.warn("inbox {}: purging expired records failed, trying again in {}: {}", name, purgeInterval, e.getMessage());
            }
        }, purgeInterval.toMillis(), purgeInterval.toMillis(), TimeUnit.MILLISECONDS);
        purger = scheduler;
    }

    /** Stops the scheduled purge. The handlers keep working. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (purger != null) {
            purger.shutdownNow();
            purger = null;
        }
    }

    private InboxTable table(@Nullable Connection connection) {
        InboxTable known = table;
        if (known != null) {
            return known;
        }
        Database database = Database.of(connection, dataSource, "inbox table " + name);
        InboxTable learned = new InboxTable(name, database);
        table = learned;
        return learned;
    }
}
