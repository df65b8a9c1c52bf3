package dev.eventbus.outbox;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * A database of one test's own: an in-memory H2 database, or a schema of its own on the local PostgreSQL
 * ({@code EVENTBUS_TEST_POSTGRES_URL}, else {@value #LOCAL_POSTGRES}), dropped with everything in it by {@link #close()}.
 * Without a PostgreSQL server the PostgreSQL tests are skipped, saying why, except in CI (the {@code CI} variable set),
 * where .ci/run starts one and its absence fails them.
 *
 * @param dataSource connections to it
 * @param schema     the schema tables go in ({@code PUBLIC} on H2)
 */
public record TestDatabase(DataSource dataSource, String schema, Database database, String url) implements AutoCloseable {

    static final String LOCAL_POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    /** A new in-memory H2 database. */
    public static TestDatabase h2() {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        return new TestDatabase(dataSource, "PUBLIC", Database.H2, url);
    }

    /**
     * The PostgreSQL URL for tests: {@code EVENTBUS_TEST_POSTGRES_URL}, else the local server's database {@code test},
     * else (a server without that database) its database {@code postgres}, which every server has.
     */
    public static String postgresUrl() {
        String configured = System.getenv("EVENTBUS_TEST_POSTGRES_URL");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        try (Connection connection = DriverManager.getConnection(LOCAL_POSTGRES + "&connectTimeout=3")) {
            return LOCAL_POSTGRES;
        } catch (SQLException e) {
            // 3D000: no database "test" on this server
            return "3D000".equals(e.getSQLState()) ? LOCAL_POSTGRES.replace("/test?", "/postgres?") : LOCAL_POSTGRES;
        }
    }

    /** A new schema on the local PostgreSQL; skips the test (fails it in CI) when no server answers. */
    public static TestDatabase postgres() {
        String url = postgresUrl();
        requireReachable(url);
        String schema = "outbox_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        DataSource dataSource = pool(url);
        execute(dataSource, "CREATE SCHEMA " + schema);
        return new TestDatabase(dataSource, schema, Database.POSTGRESQL, url);
    }

    /**
     * A small connection pool on PostgreSQL: H2's {@link JdbcConnectionPool} over pgjdbc's pooled connections (opening
     * a PostgreSQL connection costs a process on the server, far more than a statement). Connections that failed are
     * dropped from the pool.
     */
    static JdbcConnectionPool pool(String url) {
        PGConnectionPoolDataSource connections = new PGConnectionPoolDataSource();
        connections.setURL(url);
        JdbcConnectionPool pool = JdbcConnectionPool.create(connections);
        pool.setMaxConnections(24);
        return pool;
    }

    static void requireReachable(String url) {
        String reason = null;
        try (Connection connection = DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + "connectTimeout=3")) {
            if (!connection.isValid(3)) {
                reason = "the connection is not valid";
            }
        } catch (SQLException e) {
            reason = e.getMessage();
        }
        String why = "no PostgreSQL at " + url + " (" + reason + "): start one (pg_ctlcluster 15 main start) or set "
                + "EVENTBUS_TEST_POSTGRES_URL=jdbc:postgresql://host:5432/db?user=...";
        if (reason != null && System.getenv("CI") != null) {
            fail(why + "; CI promises a PostgreSQL server");
        }
        assumeTrue(reason == null, why);
    }

    /** A table name in this database's test schema. */
    public String table(String table) {
        return schema + "." + table;
    }

    /** Runs statements in autocommit mode. */
    public void execute(String... sql) {
        execute(dataSource, sql);
    }

    private static void execute(DataSource dataSource, String... sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        } catch (SQLException e) {
            throw new AssertionError("test SQL failed: " + String.join("; ", sql) + ": " + e.getMessage(), e);
        }
    }

    /** A single number a query returns. */
    public long count(String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             var result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError("test query failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** Drops the schema (PostgreSQL) or the whole database (H2). */
    @Override
    public void close() {
        if (database == Database.POSTGRESQL) {
            execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            ((JdbcConnectionPool) dataSource).dispose();
        } else {
            execute("SHUTDOWN");
        }
    }
}
