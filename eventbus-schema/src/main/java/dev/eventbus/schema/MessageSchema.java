package dev.eventbus.schema;

import dev.eventbus.core.ConfigurationException;
import java.util.List;
import java.util.Objects;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONTokener;

/**
 * One JSON Schema for the attributes of one message name and version, parsed and compiled once.
 *
 * <p>Immutable and thread-safe: the compiled everit {@link Schema} is immutable and validating with it
 * from many threads at once is safe. {@link #json()} hands out copies of the source document.
 */
public final class MessageSchema {

    private final SchemaId id;
    private final String location;
    private final JSONObject json;
    private final Schema schema;

    private MessageSchema(SchemaId id, String location, JSONObject json, Schema schema) {
        this.id = id;
        this.location = location;
        this.json = json;
        this.schema = schema;
    }

    /**
     * Parses and compiles a schema document (draft-07 unless its {@code $schema} says otherwise).
     *
     * @param id       the message name and version the schema describes
     * @param text     the JSON Schema document; its root must be an object schema
     * @param location where the text comes from, used in error messages (a resource path or a file)
     * @throws ConfigurationException naming the location and the problem if the text is not JSON, not a
     *                                valid schema, or refers to schemas outside itself
     */
    public static MessageSchema parse(SchemaId id, String text, String location) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(location, "location");
        JSONObject json;
        try {
            Object root = new JSONTokener(text).nextValue();
            if (!(root instanceof JSONObject object)) {
                throw new ConfigurationException("schema " + location + " for " + id + " is not a JSON object (found "
                        + (root == null ? "nothing" : root.getClass().getSimpleName())
                        + "): a schema file holds one JSON Schema object such as {\"type\": \"object\", \"properties\": {...}}");
            }
            json = object;
        } catch (JSONException e) {
            throw new ConfigurationException("schema " + location + " for " + id + " is not valid JSON: " + e.getMessage()
                    + "; fix the file", e);
        }
        return compile(id, json, location);
    }

    /**
     * Compiles a schema document given as a JSON object (copied, so later changes to it have no effect).
     *
     * @throws ConfigurationException naming the location and the problem if it is not a valid schema
     */
    public static MessageSchema of(SchemaId id, JSONObject json, String location) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(location, "location");
        return compile(id, new JSONObject(json.toString()), location);
    }

    private static MessageSchema compile(SchemaId id, JSONObject json, String location) {
        Object type = json.opt("type");
        if (type instanceof String single && !single.equals("object")) {
            throw new ConfigurationException("schema " + location + " for " + id + " has \"type\": \"" + single
                    + "\", but it describes the message attributes, which are always a JSON object: use \"type\": \"object\"");
        }
        return new MessageSchema(id, location, json, SchemaCompiler.compile(json, id + " (" + location + ")"));
    }

    /** The message name and version this schema describes. */
    public SchemaId id() {
        return id;
    }

    /** The message name, e.g. {@code user.created}. */
    public String name() {
        return id.name();
    }

    /** The message version. */
    public int version() {
        return id.version();
    }

    /** Where the schema was read from: a classpath URL, a file, or what the caller said. */
    public String location() {
        return location;
    }

    /** The compiled everit schema (immutable, thread-safe). */
    public Schema schema() {
        return schema;
    }

    /** A copy of the schema document as written. */
    public JSONObject json() {
        return new JSONObject(json.toString());
    }

    /** The source document without a copy, for this package's read-only use. */
    JSONObject document() {
        return json;
    }

    /**
     * Validates a value (normally a {@link JSONObject} of attributes) against this schema.
     *
     * @param subject the value in org.json form ({@link JSONObject}, {@link org.json.JSONArray},
     *                String, Number, Boolean or {@link JSONObject#NULL})
     * @return each violation as {@code <json pointer>: <message>}, empty when the value is valid
     */
    public List<String> violations(Object subject) {
        try {
            schema.validate(subject);
            return List.of();
        } catch (ValidationException e) {
            return Violations.flatten(e);
        }
    }

    /** {@code user.created v1 (location)}. */
    @Override
    public String toString() {
        return id + " (" + location + ")";
    }
}
