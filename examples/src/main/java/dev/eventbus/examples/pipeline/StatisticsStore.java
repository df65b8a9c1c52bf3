package dev.eventbus.examples.pipeline;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.EventBusException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The statistics' embedded database (H2): one row per message seen, by id, so a redelivered message is not
 * counted twice, and one row per task with when it started and finished. Thread-safe: one connection, every
 * method synchronized on this store.
 */
final class StatisticsStore implements AutoCloseable {

    private final Connection connection;

    private StatisticsStore(Connection connection) {
        this.connection = connection;
    }

    /**
     * Opens (and creates if needed) the database at a JDBC URL, e.g. {@code jdbc:h2:mem:statistics} or
     * {@code jdbc:h2:./statistics}.
     *
     * @throws ConfigurationException if the database cannot be opened, naming the URL
     */
    static StatisticsStore open(String jdbcUrl) {
        try {
            Connection connection = DriverManager.getConnection(jdbcUrl);
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS statistics_messages (message_id VARCHAR(64) PRIMARY KEY,"
                        + " name VARCHAR(255) NOT NULL, version INT NOT NULL, occurred_on TIMESTAMP NOT NULL)");
                statement.execute("CREATE TABLE IF NOT EXISTS statistics_tasks (task_id VARCHAR(255) PRIMARY KEY,"
                        + " started_at TIMESTAMP, finished_at TIMESTAMP, reported_millis BIGINT)");
            }
            return new StatisticsStore(connection);
        } catch (SQLException e) {
            throw new ConfigurationException("cannot open the statistics database " + jdbcUrl + ": " + e.getMessage()
                    + "; check STATISTICS_JDBC_URL (e.g. jdbc:h2:mem:statistics or jdbc:h2:./statistics)", e);
        }
    }

    /** Records a message once per id; false if this id was already counted. */
    synchronized boolean count(String messageId, String name, int version, Instant occurredOn) {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO statistics_messages (message_id, name, version, occurred_on) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, messageId);
            insert.setString(2, name);
            insert.setInt(3, version);
            insert.setTimestamp(4, Timestamp.from(occurredOn));
            insert.executeUpdate();
            return true;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return false;
            }
            throw failure("count message " + messageId, e);
        }
    }

    /** Records when a task started; the first record wins. */
    synchronized void started(String taskId, Instant at) {
        upsert(taskId, "started_at", Timestamp.from(at));
    }

    /** Records when a task finished, and the duration its processor reported (or null); the first record wins. */
    synchronized void finished(String taskId, Instant at, Long reportedMillis) {
        upsert(taskId, "finished_at", Timestamp.from(at));
        if (reportedMillis != null) {
            upsert(taskId, "reported_millis", reportedMillis);
        }
    }

    private void upsert(String taskId, String column, Object value) {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE statistics_tasks SET " + column + " = ? WHERE task_id = ? AND " + column + " IS NULL");
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO statistics_tasks (task_id, " + column + ") SELECT ?, ? WHERE NOT EXISTS "
                             + "(SELECT 1 FROM statistics_tasks WHERE task_id = ?)")) {
            update.setObject(1, value);
            update.setString(2, taskId);
            if (update.executeUpdate() == 0) {
                insert.setString(1, taskId);
                insert.setObject(2, value);
                insert.setString(3, taskId);
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            throw failure("record " + column + " of task " + taskId, e);
        }
    }

    /** Messages counted per name and version. */
    synchronized Map<String, Map<Integer, Long>> counts() {
        Map<String, Map<Integer, Long>> counts = new TreeMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT name, version, COUNT(*) FROM statistics_messages GROUP BY name, version")) {
            while (rows.next()) {
                counts.computeIfAbsent(rows.getString(1), name -> new TreeMap<>()).put(rows.getInt(2), rows.getLong(3));
            }
            return counts;
        } catch (SQLException e) {
            throw failure("read the counts", e);
        }
    }

    /** Durations of finished tasks that also have a start: count, mean, max (ms), and the mean the processors reported. */
    synchronized StatisticsSnapshot.Durations durations() {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*), "
                     + "AVG(DATEDIFF('MILLISECOND', started_at, finished_at)), "
                     + "MAX(DATEDIFF('MILLISECOND', started_at, finished_at)), "
                     + "COUNT(reported_millis), AVG(reported_millis) "
                     + "FROM statistics_tasks WHERE started_at IS NOT NULL AND finished_at IS NOT NULL")) {
            rows.next();
            return new StatisticsSnapshot.Durations(rows.getLong(1), rows.getDouble(2), rows.getLong(3), rows.getLong(4),
                    rows.getDouble(5));
        } catch (SQLException e) {
            throw failure("read the durations", e);
        }
    }

    private static EventBusException failure(String what, SQLException e) {
        return new EventBusException("the statistics database could not " + what + ": " + e.getMessage()
                + " (SQL state " + e.getSQLState() + ")", e);
    }

    /** Closes the connection; an in-memory database is gone then. */
    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }
}
