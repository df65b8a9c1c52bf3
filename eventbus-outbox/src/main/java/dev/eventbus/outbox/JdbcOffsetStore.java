package dev.eventbus.outbox;

import dev.eventbus.core.OffsetStore;
import dev.eventbus.outbox.internal.SqlName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * An {@link OffsetStore} in a database table, so that a stream subscriber's offset survives its process: one row per
 * (stream, subscriber) with the offset of the next event to handle. Works on PostgreSQL and H2 (plain SQL: an
 * {@code UPDATE}, then an {@code INSERT} when no row was there, each in its own transaction).
 *
 * <pre>{@code
 * OffsetStore offsets = JdbcOffsetStore.create(dataSource);                 // table eventbus_stream_offsets
 * Subscription.of(OrderPlaced.class, "audit", handler)
 *         .stream(StreamOptions.from(StreamStart.first()).offsets(offsets));
 * }</pre>
 *
 * <p>Thread-safe: each call takes a connection of its own from the data source. Two subscribers of the same name
 * writing at once (two replicas reading one stream each from the start) both succeed, the last write wins: give
 * replicas that should share the work a queue, not a stream.
 */
public final class JdbcOffsetStore implements OffsetStore {

    /** The default table name. */
    public static final String DEFAULT_TABLE = "eventbus_stream_offsets";

    private final DataSource dataSource;
    private final SqlName table;

    private JdbcOffsetStore(DataSource dataSource, SqlName table) {
        this.dataSource = dataSource;
        this.table = table;
    }

    /**
     * A store in the table {@value #DEFAULT_TABLE}, created if it does not exist.
     *
     * @throws OutboxException if the table cannot be created
     */
    public static JdbcOffsetStore create(DataSource dataSource) {
        return create(dataSource, DEFAULT_TABLE);
    }

    /**
     * A store in this table ({@code table} or {@code schema.table}), created if it does not exist.
     *
     * @throws dev.eventbus.core.ConfigurationException if the name is not a plain SQL identifier
     * @throws OutboxException                          if the table cannot be created
     */
    public static JdbcOffsetStore create(DataSource dataSource, String table) {
        JdbcOffsetStore store = new JdbcOffsetStore(Objects.requireNonNull(dataSource, "dataSource"),
                SqlName.parse(table, "offset store"));
        store.createTable();
        return store;
    }

    /** The SQL that creates the table; run it yourself where the service may not create tables. */
    public String createTableSql() {
        return "CREATE TABLE IF NOT EXISTS " + table.qualified() + " (stream VARCHAR(255) NOT NULL, subscriber VARCHAR(255) "
                + "NOT NULL, next_offset BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL, PRIMARY KEY (stream, subscriber))";
    }

    private void createTable() {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(createTableSql());
        } catch (SQLException e) {
            throw new OutboxException("cannot create the offset table " + table.qualified() + " (" + e.getMessage()
                    + "): create it with JdbcOffsetStore#createTableSql, or grant the user CREATE", e);
        }
    }

    @Override
    public OptionalLong load(String stream, String subscriber) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT next_offset FROM " + table.qualified()
                     + " WHERE stream = ? AND subscriber = ?")) {
            select.setString(1, stream);
            select.setString(2, subscriber);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot read the offset of subscriber " + subscriber + " of stream " + stream + " from "
                    + table.qualified() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void store(String stream, String subscriber, long nextOffset) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            try (PreparedStatement update = connection.prepareStatement("UPDATE " + table.qualified()
                    + " SET next_offset = ?, updated_at = CURRENT_TIMESTAMP WHERE stream = ? AND subscriber = ?")) {
                update.setLong(1, nextOffset);
                update.setString(2, stream);
                update.setString(3, subscriber);
                if (update.executeUpdate() == 1) {
                    return;
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table.qualified()
                    + " (stream, subscriber, next_offset, updated_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP)")) {
                insert.setString(1, stream);
                insert.setString(2, subscriber);
                insert.setLong(3, nextOffset);
                insert.executeUpdate();
            } catch (SQLException duplicate) {
                if (!"23505".equals(duplicate.getSQLState())) { // not a row inserted meanwhile by another writer
                    throw duplicate;
                }
                store(stream, subscriber, nextOffset);
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot store offset " + nextOffset + " of subscriber " + subscriber + " of stream "
                    + stream + " in " + table.qualified() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "JdbcOffsetStore[" + table.qualified() + "]";
    }
}
