package dev.eventbus.examples.launch;

import dev.eventbus.core.ConfigurationException;
import javax.sql.ConnectionPoolDataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * Connection pools for the example services' databases, from a JDBC URL: embedded H2 ({@code jdbc:h2:...}) or
 * PostgreSQL ({@code jdbc:postgresql://host:5432/db?user=...}). H2's small {@link JdbcConnectionPool} serves both, so
 * the examples need no pool library; a real service would use its own (HikariCP, its framework's).
 */
public final class DataSources {

    private DataSources() {
    }

    /**
     * A pool of up to 16 connections to the database the URL names.
     *
     * @throws ConfigurationException for a URL of another database
     */
    public static JdbcConnectionPool pooled(String jdbcUrl) {
        ConnectionPoolDataSource connections;
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(jdbcUrl);
            connections = h2;
        } else if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            PGConnectionPoolDataSource postgres = new PGConnectionPoolDataSource();
            postgres.setURL(jdbcUrl);
            connections = postgres;
        } else {
            throw new ConfigurationException("the examples' databases are H2 (jdbc:h2:...) or PostgreSQL "
                    + "(jdbc:postgresql://host:5432/db?user=...), not " + jdbcUrl.replaceAll("password=[^&]*", "password=***"));
        }
        JdbcConnectionPool pool = JdbcConnectionPool.create(connections);
        pool.setMaxConnections(16);
        return pool;
    }
}
