package dev.eventbus.outbox.internal;

import dev.eventbus.core.ConfigurationException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A table name written into SQL: an unquoted identifier, optionally qualified by a schema ({@code billing.outbox}).
 * Validated here because it is concatenated into statements: letters, digits and '_', starting with a letter or '_',
 * at most 63 characters per part (PostgreSQL's limit). Unquoted, so each database folds its case as it always does.
 * Immutable.
 *
 * @param schema the schema, or null for the connection's default
 * @param table  the table
 */
public record SqlName(@Nullable String schema, String table) {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    public SqlName {
        if (schema != null) {
            requireIdentifier(schema, "schema", schema + "." + table);
        }
        requireIdentifier(table, "table", schema == null ? table : schema + "." + table);
    }

    /**
     * Parses {@code table} or {@code schema.table}.
     *
     * @throws ConfigurationException naming the value and the rule
     */
    public static SqlName parse(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new ConfigurationException(what + " table name is empty: give a name such as eventbus_outbox or billing.eventbus_outbox");
        }
        int dot = name.indexOf('.');
        if (dot != name.lastIndexOf('.')) {
            throw new ConfigurationException(what + " table '" + name + "' has more than one '.': write table or schema.table");
        }
        try {
            return dot < 0 ? new SqlName(null, name) : new SqlName(name.substring(0, dot), name.substring(dot + 1));
        } catch (ConfigurationException e) {
            throw new ConfigurationException(what + " " + e.getMessage(), e);
        }
    }

    private static void requireIdentifier(String part, String role, String whole) {
        if (!IDENTIFIER.matcher(part).matches()) {
            throw new ConfigurationException("table '" + whole + "' is not a plain SQL identifier: its " + role + " '" + part
                    + "' must be letters, digits and '_', start with a letter or '_', and be at most 63 characters");
        }
    }

    /** The name as written in statements: {@code schema.table} or {@code table}. */
    public String qualified() {
        return schema == null ? table : schema + "." + table;
    }

    /** A name for an index of this table, qualified by its schema when {@code qualify} (H2 wants it, PostgreSQL refuses it). */
    public String index(String suffix, boolean qualify) {
        String bare = table.length() + 1 + suffix.length() > 63 ? table.substring(0, 62 - suffix.length()) : table;
        String index = bare + "_" + suffix;
        return qualify && schema != null ? schema + "." + index : index;
    }

    /** The PostgreSQL notification channel for this table: the qualified name, '.' as '_', lower case, 63 characters at most. */
    public String channel() {
        String channel = qualified().replace('.', '_').toLowerCase(Locale.ROOT);
        return channel.length() > 63 ? channel.substring(0, 63) : channel;
    }

    @Override
    public String toString() {
        return qualified();
    }
}
