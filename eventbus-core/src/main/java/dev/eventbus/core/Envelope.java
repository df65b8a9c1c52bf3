package dev.eventbus.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A decoded message body before its attributes are mapped to a Java type: what the wire says.
 * Used to validate attributes against a schema, and by store handlers that take every message.
 *
 * @param id         the message id, a UUID in canonical form
 * @param name       the message name ({@code type} on the wire)
 * @param version    the version
 * @param kind       the kind ({@code type_message} on the wire)
 * @param occurredOn when it happened
 * @param attributes the attributes as a JSON object; do not modify
 * @param meta       the meta map
 */
public record Envelope(String id, String name, int version, MessageKind kind, Instant occurredOn, ObjectNode attributes,
                       Map<String, Object> meta) {

    /**
     * Checks the envelope.
     *
     * @throws InvalidMessageException if the id is not a UUID in canonical form
     */
    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        if (!MessageIds.isUuid(id)) {
            throw MessageIds.invalid(id, name, version);
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredOn, "occurredOn");
        Objects.requireNonNull(attributes, "attributes");
        meta = meta == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }

    /** A short description for logs and errors. */
    public String describe() {
        return kind.routingSegment() + " " + name + " v" + version + " (id " + id + ")";
    }
}
