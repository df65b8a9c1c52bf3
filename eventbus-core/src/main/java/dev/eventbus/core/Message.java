package dev.eventbus.core;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A message as it travels: the payload (the event's or command's own fields, "attributes" on the wire)
 * and the envelope around it. Immutable; {@code meta} is an unmodifiable copy.
 *
 * <p>The envelope is the bus's concern, so it lives here rather than in the payload: events stay plain
 * records with only their domain fields.
 *
 * @param id         unique id, a UUID in canonical form ({@code 0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d}, as petisco
 *                   requires): a random one for new messages, kept as given when read from the wire
 * @param name       dotted name, e.g. {@code user.created}
 * @param version    version of the message type
 * @param kind       domain event or command
 * @param occurredOn when it happened (UTC, microsecond precision on the wire)
 * @param payload    the event or command itself; for untyped reads (the store) a {@code Map<String, Object>}
 * @param meta       free map for correlation ids, trace context and the like (JSON values)
 * @param <T>        the payload type
 */
public record Message<T>(String id, String name, int version, MessageKind kind, Instant occurredOn, T payload,
                         Map<String, Object> meta) {

    /**
     * Checks the message.
     *
     * @throws InvalidMessageException if the id is not a UUID in canonical form (petisco services would never
     *                                 handle the message), naming the id
     */
    public Message {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        if (!MessageIds.isUuid(id)) {
            throw MessageIds.invalid(id, name, version);
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredOn, "occurredOn");
        Objects.requireNonNull(payload, "payload");
        meta = meta == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }

    /**
     * Wraps a payload in a new message: a random (version 4) UUID, now (truncated to microseconds, the wire's
     * precision) and empty meta. Name, version and kind come from {@link MessageType#of(Class)}.
     */
    public static <T> Message<T> of(T payload) {
        Objects.requireNonNull(payload, "payload");
        @SuppressWarnings("unchecked")
        MessageType<T> type = MessageType.of((Class<T>) payload.getClass());
        return of(type, payload);
    }

    /** Wraps a payload in a new message of an explicit type. */
    public static <T> Message<T> of(MessageType<T> type, T payload) {
        return new Message<>(UUID.randomUUID().toString(), type.name(), type.version(), type.kind(),
                Instant.now().truncatedTo(ChronoUnit.MICROS), payload, Map.of());
    }

    /** A copy with one more meta entry (replacing an entry of the same key). */
    public Message<T> withMeta(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(meta);
        copy.put(Objects.requireNonNull(key, "key"), value);
        return new Message<>(id, name, version, kind, occurredOn, payload, copy);
    }

    /** A copy with the given meta map instead of this one's. */
    public Message<T> withMeta(Map<String, Object> newMeta) {
        return new Message<>(id, name, version, kind, occurredOn, payload, newMeta);
    }

    /** The meta key of the correlation id: shared by every message caused, directly or not, by one first message. */
    public static final String CORRELATION_ID = "correlation_id";
    /** The meta key of the causation id: the id of the message whose handler published this one. */
    public static final String CAUSATION_ID = "causation_id";

    /**
     * The correlation id: {@code meta.correlation_id}, else petisco's {@code meta.info_id.correlation_id}; empty when the
     * message starts a conversation (then its own id is the correlation id of what it causes).
     */
    public java.util.Optional<String> correlationId() {
        Object own = meta.get(CORRELATION_ID);
        if (own != null) {
            return java.util.Optional.of(own.toString());
        }
        if (meta.get("info_id") instanceof Map<?, ?> infoId && infoId.get(CORRELATION_ID) != null) {
            return java.util.Optional.of(infoId.get(CORRELATION_ID).toString());
        }
        return java.util.Optional.empty();
    }

    /** The id of the message whose handler published this one ({@code meta.causation_id}), if any. */
    public java.util.Optional<String> causationId() {
        Object cause = meta.get(CAUSATION_ID);
        return cause == null ? java.util.Optional.empty() : java.util.Optional.of(cause.toString());
    }

    /** A short description for logs and errors: kind, name, version and id (never the payload). */
    public String describe() {
        return kind.routingSegment() + " " + name + " v" + version + " (id " + id + ")";
    }
}
