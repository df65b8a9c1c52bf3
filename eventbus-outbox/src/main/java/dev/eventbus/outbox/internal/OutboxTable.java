package dev.eventbus.outbox.internal;

import dev.eventbus.core.MessageKind;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.outbox.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of one outbox table: insert, claim (locking, skipping rows another relay holds), the ordering check, delete
 * and postpone. Statements run on the connection given, in its transaction; nothing here commits. Immutable and
 * thread-safe (it holds only the table's name and database).
 */
public final class OutboxTable {

    private static final int MAX_ERROR = 1000;
    private static final String COLUMNS = "id, message_id, message_name, message_version, message_kind, occurred_on, "
            + "exchange_name, routing_key, ordering_key, body, attempts";

    private final SqlName name;
    private final Database database;
    private final String insert;
    private final String claim;
    private final String delete;
    private final String postpone;

    public OutboxTable(SqlName name, Database database) {
        this.name = name;
        this.database = database;
        String table = name.qualified();
        this.insert = "INSERT INTO " + table + " (message_id, message_name, message_version, message_kind, occurred_on, "
                + "exchange_name, routing_key, ordering_key, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        // oldest first; rows another relay has locked are skipped rather than waited for, so relays never send one row
        // at the same time; rows postponed after a failure wait for their time
        this.claim = "SELECT " + COLUMNS + " FROM " + table + " WHERE next_attempt_at IS NULL OR next_attempt_at <= ? "
                + "ORDER BY id FETCH FIRST ? ROWS ONLY FOR UPDATE SKIP LOCKED";
        this.delete = "DELETE FROM " + table + " WHERE id = ?";
        this.postpone = "UPDATE " + table + " SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?";
    }

    public SqlName name() {
        return name;
    }

    public Database database() {
        return database;
    }

    /** The schema script of this table. */
    public String script() {
        return SchemaScript.render(database, "outbox", Map.of("table", name.qualified(),
                "ordering_index", name.index("ordering", database == Database.H2)));
    }

    /** Inserts messages in this order (so their ids follow it), all with the same ordering key (or none). */
    public void insert(Connection connection, List<EncodedMessage> messages, @Nullable String orderingKey) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            for (EncodedMessage message : messages) {
                statement.setString(1, message.id());
                statement.setString(2, message.name());
                statement.setInt(3, message.version());
                statement.setString(4, message.kind().name());
                statement.setObject(5, OffsetDateTime.ofInstant(message.occurredOn(), ZoneOffset.UTC));
                statement.setString(6, message.exchange());
                statement.setString(7, message.routingKey());
                statement.setString(8, orderingKey);
                statement.setBytes(9, message.body());
                if (messages.size() == 1) {
                    statement.executeUpdate();
                } else {
                    statement.addBatch();
                }
            }
            if (messages.size() > 1) {
                statement.executeBatch();
            }
        }
    }

    /** Tells the relays listening on PostgreSQL that rows are waiting; delivered when the transaction commits. */
    public void notifyRelays(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("NOTIFY " + name.channel());
        }
    }

    /** Locks and reads up to {@code limit} waiting rows, oldest first, skipping rows locked by others. */
    public List<OutboxRow> claim(Connection connection, int limit, Instant now) throws SQLException {
        List<OutboxRow> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(claim)) {
            statement.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            statement.setInt(2, limit);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(row(result));
                }
            }
        }
        return rows;
    }

    /**
     * The rows of a claimed batch that may be sent now: every row without an ordering key, and for each key only the
     * rows that are its oldest waiting ones. A key's older row held by another relay, or postponed after a failure,
     * keeps the key's later rows of this batch back, so a key's messages leave in {@code id} order. (A plain read: it
     * sees rows other relays have locked.)
     */
    public List<OutboxRow> inKeyOrder(Connection connection, List<OutboxRow> claimed) throws SQLException {
        Set<String> keys = new TreeSet<>();
        long maxId = Long.MIN_VALUE;
        for (OutboxRow row : claimed) {
            if (row.orderingKey() != null) {
                keys.add(row.orderingKey());
                maxId = Math.max(maxId, row.id());
            }
        }
        if (keys.isEmpty()) {
            return claimed;
        }
        Map<String, List<Long>> waiting = new HashMap<>();
        String sql = "SELECT id, ordering_key FROM " + name.qualified() + " WHERE ordering_key IN ("
                + String.join(", ", java.util.Collections.nCopies(keys.size(), "?")) + ") AND id <= ? ORDER BY id";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = 1;
            for (String key : keys) {
                statement.setString(index++, key);
            }
            statement.setLong(index, maxId);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    waiting.computeIfAbsent(result.getString(2), key -> new ArrayList<>()).add(result.getLong(1));
                }
            }
        }
        Map<String, Integer> position = new HashMap<>();
        Set<String> blocked = new java.util.HashSet<>();
        List<OutboxRow> sendable = new ArrayList<>(claimed.size());
        for (OutboxRow row : claimed) {
            String key = row.orderingKey();
            if (key == null) {
                sendable.add(row);
                continue;
            }
            if (blocked.contains(key)) {
                continue;
            }
            int at = position.merge(key, 1, Integer::sum) - 1;
            List<Long> ids = waiting.getOrDefault(key, List.of());
            if (at < ids.size() && ids.get(at) == row.id()) {
                sendable.add(row);
            } else {
                blocked.add(key);
            }
        }
        return sendable;
    }

    /** Deletes rows the broker confirmed. */
    public void delete(Connection connection, Collection<OutboxRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(delete)) {
            for (OutboxRow row : rows) {
                statement.setLong(1, row.id());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** Counts a failed attempt on each row and keeps it waiting until its time. */
    public void postpone(Connection connection, Map<OutboxRow, Instant> until, Map<OutboxRow, String> errors)
            throws SQLException {
        if (until.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(postpone)) {
            for (Map.Entry<OutboxRow, Instant> entry : until.entrySet()) {
                statement.setObject(1, OffsetDateTime.ofInstant(entry.getValue(), ZoneOffset.UTC));
                String error = errors.getOrDefault(entry.getKey(), "");
                statement.setString(2, error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error);
                statement.setLong(3, entry.getKey().id());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** How many rows wait, by ordering key or not, postponed or not. */
    public long count(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM " + name.qualified())) {
            result.next();
            return result.getLong(1);
        }
    }

    private static OutboxRow row(ResultSet result) throws SQLException {
        EncodedMessage message = new EncodedMessage(result.getString("message_id"), result.getString("message_name"),
                result.getInt("message_version"), MessageKind.valueOf(result.getString("message_kind")),
                result.getObject("occurred_on", OffsetDateTime.class).toInstant(), result.getString("exchange_name"),
                result.getString("routing_key"), result.getBytes("body"));
        return new OutboxRow(result.getLong("id"), result.getString("ordering_key"), result.getInt("attempts"), message);
    }
}
