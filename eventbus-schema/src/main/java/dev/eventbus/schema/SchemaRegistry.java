package dev.eventbus.schema;

import dev.eventbus.core.ConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON Schemas of an application, one per message name and version, each parsed and compiled once
 * when the registry is built.
 *
 * <p>Layout: {@code <root>/<message name>/<version>.json}, by default under the classpath root
 * {@code eventbus/schemas} (e.g. {@code eventbus/schemas/user.created/1.json}). Each schema describes the
 * message's {@code attributes} object with snake_case field names, as on the wire. How classpath
 * resources are found inside jars (scanning plus an optional {@code index.txt}) is described in
 * {@code docs/schemas.md}.
 *
 * <p>Immutable and thread-safe once built. Building reads files and blocks; lookups never do I/O.
 */
public final class SchemaRegistry {

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistry.class);

    private final Map<SchemaId, MessageSchema> schemas;
    /** The same schemas keyed for the per-message lookup, which must not allocate or validate a SchemaId. */
    private final Map<String, Map<Integer, MessageSchema>> byName;
    private final String origin;
    private final String layoutRoot;

    private SchemaRegistry(Map<SchemaId, MessageSchema> schemas, String origin, String layoutRoot) {
        this.schemas = Collections.unmodifiableMap(new TreeMap<>(schemas));
        Map<String, Map<Integer, MessageSchema>> index = new HashMap<>();
        for (MessageSchema schema : schemas.values()) {
            index.computeIfAbsent(schema.name(), name -> new HashMap<>()).put(schema.version(), schema);
        }
        this.byName = Map.copyOf(index);
        this.origin = origin;
        this.layoutRoot = layoutRoot;
    }

    /**
     * The schemas under the classpath root {@code eventbus/schemas}, read through the thread's context
     * class loader (or this library's class loader when there is none).
     *
     * @throws ConfigurationException naming the file and the problem if a schema file is invalid, misplaced
     *                                or present twice with different contents
     */
    public static SchemaRegistry fromClasspath() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return fromClasspath(context != null ? context : SchemaRegistry.class.getClassLoader(), SchemaLayout.DEFAULT_ROOT);
    }

    /**
     * The schemas under a classpath root of a class loader.
     *
     * @param loader the class loader whose resources are read
     * @param root   the resource directory, e.g. {@code eventbus/schemas} (no leading or trailing slash)
     * @throws ConfigurationException naming the file and the problem if a schema file is invalid, misplaced
     *                                or present twice with different contents
     */
    public static SchemaRegistry fromClasspath(ClassLoader loader, String root) {
        Objects.requireNonNull(loader, "loader");
        String cleanRoot = cleanRoot(root);
        Map<SchemaId, MessageSchema> schemas = new TreeMap<>();
        for (ClasspathSchemas.Found file : ClasspathSchemas.find(loader, cleanRoot)) {
            Optional<SchemaId> id = SchemaLayout.idOf(file.relativePath(), file.location());
            if (id.isPresent()) {
                put(schemas, MessageSchema.parse(id.get(), new String(file.bytes(), StandardCharsets.UTF_8), file.location()));
            }
        }
        String origin = "classpath:" + cleanRoot;
        log.info("loaded {} JSON schema(s) from {}", schemas.size(), origin);
        return new SchemaRegistry(schemas, origin, "classpath resource " + cleanRoot + "/");
    }

    /**
     * The schemas in a directory laid out as {@code <directory>/<message name>/<version>.json}.
     *
     * @throws ConfigurationException if the directory does not exist or cannot be read, or naming the
     *                                file and the problem if a schema file is invalid or misplaced
     */
    public static SchemaRegistry fromDirectory(Path directory) {
        Objects.requireNonNull(directory, "directory");
        Path root = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new ConfigurationException("schema directory " + root + " does not exist or is not a directory: "
                    + "create it with one <message name>/<version>.json file per schema, or point at the right one");
        }
        Map<SchemaId, MessageSchema> schemas = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String relative = root.relativize(file).toString().replace('\\', '/');
                Optional<SchemaId> id = SchemaLayout.idOf(relative, file.toString());
                if (id.isPresent()) {
                    put(schemas, MessageSchema.parse(id.get(), Files.readString(file, StandardCharsets.UTF_8), file.toString()));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ConfigurationException("cannot read schema directory " + root + ": " + e.getMessage(), e);
        }
        log.info("loaded {} JSON schema(s) from {}", schemas.size(), root);
        return new SchemaRegistry(schemas, root.toString(), "file " + root + "/");
    }

    /**
     * A registry of schemas built in code (tests, schemas kept elsewhere).
     *
     * @throws ConfigurationException if two schemas have the same name and version
     */
    public static SchemaRegistry of(Collection<MessageSchema> schemas) {
        Map<SchemaId, MessageSchema> map = new TreeMap<>();
        for (MessageSchema schema : schemas) {
            put(map, Objects.requireNonNull(schema, "schema"));
        }
        return new SchemaRegistry(map, "schemas given in code", "classpath resource " + SchemaLayout.DEFAULT_ROOT + "/");
    }

    private static void put(Map<SchemaId, MessageSchema> schemas, MessageSchema schema) {
        MessageSchema previous = schemas.putIfAbsent(schema.id(), schema);
        if (previous != null) {
            throw new ConfigurationException("two schemas for " + schema.id() + ": " + previous.location() + " and "
                    + schema.location() + "; keep one");
        }
    }

    private static String cleanRoot(String root) {
        Objects.requireNonNull(root, "root");
        String clean = root.strip();
        while (clean.startsWith("/")) {
            clean = clean.substring(1);
        }
        while (clean.endsWith("/")) {
            clean = clean.substring(0, clean.length() - 1);
        }
        if (clean.isEmpty()) {
            throw new ConfigurationException("schema classpath root '" + root
                    + "' is empty: give a resource directory such as " + SchemaLayout.DEFAULT_ROOT);
        }
        return clean;
    }

    /** The schema for a message name and version, if there is one. Never does I/O. */
    public Optional<MessageSchema> find(String name, int version) {
        if (name == null) {
            return Optional.empty();
        }
        Map<Integer, MessageSchema> versions = byName.get(name);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
    }

    /** Every schema id, ordered by name then version. */
    public List<SchemaId> list() {
        return List.copyOf(schemas.keySet());
    }

    /** The versions that have a schema for a message name, ascending; empty if none. */
    public List<Integer> versions(String name) {
        List<Integer> versions = new ArrayList<>();
        for (SchemaId id : schemas.keySet()) {
            if (id.name().equals(name)) {
                versions.add(id.version());
            }
        }
        return List.copyOf(versions);
    }

    /** Every schema, ordered by name then version. */
    public List<MessageSchema> schemas() {
        return List.copyOf(schemas.values());
    }

    /** Where the schemas came from, e.g. {@code classpath:eventbus/schemas} or a directory. */
    public String origin() {
        return origin;
    }

    /**
     * Where the schema for a name and version belongs in this registry's layout, for error messages,
     * e.g. {@code classpath resource eventbus/schemas/user.created/1.json}.
     */
    public String expectedLocation(String name, int version) {
        return layoutRoot + name + "/" + version + ".json";
    }

    /** {@code SchemaRegistry[classpath:eventbus/schemas, 3 schemas]}. */
    @Override
    public String toString() {
        return "SchemaRegistry[" + origin + ", " + schemas.size() + " schemas]";
    }
}
