package dev.eventbus.schema;

import dev.eventbus.core.ConfigurationException;
import java.util.Optional;

/**
 * The file layout under a schema root: {@code <message name>/<version>.json}. Other files (an
 * {@code index.txt}, a README) are ignored; a {@code .json} file anywhere else is an error, so a
 * misplaced schema is reported instead of silently never being used.
 */
final class SchemaLayout {

    /** The classpath root schemas are read from by default. */
    static final String DEFAULT_ROOT = "eventbus/schemas";
    /** Lists schema paths for class loaders whose resources cannot be listed (see {@link ClasspathSchemas}). */
    static final String INDEX_FILE = "index.txt";

    private SchemaLayout() {
    }

    /**
     * The schema id a path relative to the root stands for, or empty for a file that is not a schema.
     *
     * @param relativePath a path with '/' separators, relative to the schema root
     * @param location     the full location, for error messages
     * @throws ConfigurationException for a {@code .json} file that does not follow the layout
     */
    static Optional<SchemaId> idOf(String relativePath, String location) {
        if (!relativePath.endsWith(".json")) {
            return Optional.empty();
        }
        String[] parts = relativePath.split("/", -1);
        if (parts.length != 2) {
            throw new ConfigurationException("schema file " + location + " is not where schemas go: the layout is "
                    + "<message name>/<version>.json under the schema root, e.g. user.created/1.json; move it");
        }
        String versionText = parts[1].substring(0, parts[1].length() - ".json".length());
        int version;
        try {
            version = Integer.parseInt(versionText);
        } catch (NumberFormatException e) {
            version = -1;
        }
        if (version < 1 || !String.valueOf(version).equals(versionText)) {
            throw new ConfigurationException("schema file " + location + " is named '" + parts[1]
                    + "', but a schema file is named after its message version: a positive integer such as 1.json; rename it");
        }
        try {
            return Optional.of(new SchemaId(parts[0], version));
        } catch (ConfigurationException e) {
            throw new ConfigurationException("schema file " + location + " is in directory '" + parts[0]
                    + "', which is not a message name: " + e.getMessage(), e);
        }
    }
}
