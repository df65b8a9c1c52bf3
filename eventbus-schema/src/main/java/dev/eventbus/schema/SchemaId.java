package dev.eventbus.schema;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Names;
import java.util.Comparator;

/**
 * Identifies a schema: the message name and version it describes. Ordered by name, then version.
 *
 * @param name    the dotted message name, e.g. {@code user.created}
 * @param version the message version, 1 or more
 */
public record SchemaId(String name, int version) implements Comparable<SchemaId> {

    private static final Comparator<SchemaId> ORDER =
            Comparator.comparing(SchemaId::name).thenComparingInt(SchemaId::version);

    /**
     * Checks the name against the message naming rule and the version for being positive.
     *
     * @throws ConfigurationException naming the bad value and the rule it breaks
     */
    public SchemaId {
        Names.requireMessageName(name, "schema message name");
        if (version < 1) {
            throw new ConfigurationException("schema version " + version + " of " + name
                    + " is not valid: versions are positive integers starting at 1");
        }
    }

    /** The resource path of this schema relative to the schema root: {@code <name>/<version>.json}. */
    public String relativePath() {
        return name + "/" + version + ".json";
    }

    @Override
    public int compareTo(SchemaId other) {
        return ORDER.compare(this, other);
    }

    /** {@code user.created v1}. */
    @Override
    public String toString() {
        return name + " v" + version;
    }
}
