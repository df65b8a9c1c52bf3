package dev.eventbus.outbox;

import dev.eventbus.core.ConfigurationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The databases the outbox and the inbox run on, each with its schema script and the SQL it needs: row locks that
 * skip rows another relay holds ({@code FOR UPDATE SKIP LOCKED}), and on PostgreSQL {@code LISTEN/NOTIFY} to wake the
 * relay.
 */
public enum Database {
    /** PostgreSQL 9.5 or newer (SKIP LOCKED, ON CONFLICT); tested on 15. */
    POSTGRESQL,
    /** H2 2.2 or newer (SKIP LOCKED); the embedded default of demos and unit tests. */
    H2;

    /**
     * The database a connection talks to, from its metadata.
     *
     * @throws ConfigurationException if it is none of the supported databases, naming it
     * @throws OutboxException        if the metadata cannot be read
     */
    /**
     * The database of a table: from the given connection, else from one of the data source's (opened and closed here).
     *
     * @param table names the table in the error, e.g. {@code "outbox table eventbus_outbox"}
     * @throws OutboxException if no connection can be opened
     */
    static Database of(@Nullable Connection connection, javax.sql.DataSource dataSource, String table) {
        if (connection != null) {
            return of(connection);
        }
        try (Connection opened = dataSource.getConnection()) {
            return of(opened);
        } catch (SQLException e) {
            throw new OutboxException("cannot connect to the database of " + table + ": " + e.getMessage()
                    + "; check the DataSource, or set the database on the builder to start without it", e);
        }
    }

    public static Database of(Connection connection) {
        String product;
        try {
            product = connection.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new OutboxException("cannot read which database the connection talks to: " + e.getMessage(), e);
        }
        String lower = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (lower.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (lower.equals("h2")) {
            return H2;
        }
        throw new ConfigurationException("the outbox and the inbox run on PostgreSQL and H2, not on '" + product
                + "': give them a DataSource of one of those");
    }
}
