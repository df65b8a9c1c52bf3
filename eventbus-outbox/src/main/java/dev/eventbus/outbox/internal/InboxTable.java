package dev.eventbus.outbox.internal;

import dev.eventbus.outbox.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * The SQL of one inbox table: record a (handler, message id), look one up, purge expired records. Statements run on
 * the connection given, in its transaction; nothing here commits. Immutable and thread-safe.
 */
public final class InboxTable {

    /** SQLSTATE of a unique-key violation, the same on PostgreSQL and H2. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final SqlName name;
    private final Database database;
    private final String record;
    private final String lookup;
    private final String purge;

    public InboxTable(SqlName name, Database database) {
        this.name = name;
        this.database = database;
        String table = name.qualified();
        String insert = "INSERT INTO " + table + " (handler_name, message_id, received_at) VALUES (?, ?, ?)";
        // PostgreSQL: no error (which would abort the transaction and log on the server) for the expected duplicate
        this.record = database == Database.POSTGRESQL ? insert + " ON CONFLICT DO NOTHING" : insert;
        this.lookup = "SELECT 1 FROM " + table + " WHERE handler_name = ? AND message_id = ?";
        this.purge = "DELETE FROM " + table + " WHERE received_at < ?";
    }

    public SqlName name() {
        return name;
    }

    public Database database() {
        return database;
    }

    /** The schema script of this table. */
    public String script() {
        return SchemaScript.render(database, "inbox", Map.of("table", name.qualified(),
                "received_index", name.index("received", database == Database.H2)));
    }

    /**
     * Records that the handler is handling the message, in the connection's transaction. A concurrent transaction
     * recording the same pair makes this wait until it ends (the unique key's lock).
     *
     * @return false if the pair is recorded already (committed by an earlier delivery): a duplicate
     */
    public boolean record(Connection connection, String handler, String messageId, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(record)) {
            statement.setString(1, handler);
            statement.setString(2, messageId);
            statement.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            return statement.executeUpdate() == 1;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /** Whether the pair is recorded. */
    public boolean contains(Connection connection, String handler, String messageId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(lookup)) {
            statement.setString(1, handler);
            statement.setString(2, messageId);
            try (ResultSet result = statement.executeQuery()) {
                return result.next();
            }
        }
    }

    /** Deletes the records received before the given time; returns how many. */
    public int purge(Connection connection, Instant before) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(purge)) {
            statement.setObject(1, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
            return statement.executeUpdate();
        }
    }
}
