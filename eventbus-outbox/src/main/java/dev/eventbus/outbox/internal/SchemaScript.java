package dev.eventbus.outbox.internal;

import dev.eventbus.outbox.Database;
import dev.eventbus.outbox.OutboxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A schema script shipped in {@code dev/eventbus/outbox/<database>-<kind>.sql}, with its names filled in. The scripts
 * are plain SQL, one statement per {@code ;} at a line's end, idempotent ({@code IF NOT EXISTS}), so they can be run at
 * every start or copied into a migration tool. Stateless.
 */
public final class SchemaScript {

    private SchemaScript() {
    }

    /** The script of one table ({@code outbox} or {@code inbox}) for a database, with the given names substituted. */
    public static String render(Database database, String kind, Map<String, String> names) {
        String resource = "/dev/eventbus/outbox/" + prefix(database) + "-" + kind + ".sql";
        String script;
        try (InputStream in = SchemaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the schema script " + resource + " is missing from the eventbus-outbox jar");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        for (Map.Entry<String, String> name : names.entrySet()) {
            script = script.replace("${" + name.getKey() + "}", name.getValue());
        }
        return script;
    }

    /** The statements of a script: comments dropped, split at each {@code ;} that ends a line. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().strip();
                statements.add(statement.substring(0, statement.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    /**
     * Runs a script in one transaction.
     *
     * @throws OutboxException if the database refuses a statement, naming the table
     */
    public static void apply(DataSource dataSource, String script, String table) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String sql : statements(script)) {
                    statement.execute(sql);
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot create table " + table + ": " + e.getMessage()
                    + "; check that the user may create tables there, or run the script yourself (schemaScript)", e);
        }
    }

    private static String prefix(Database database) {
        return switch (database) {
            case POSTGRESQL -> "postgresql";
            case H2 -> "h2";
        };
    }
}
