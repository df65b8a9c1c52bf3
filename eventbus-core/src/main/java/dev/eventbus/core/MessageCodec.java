package dev.eventbus.core;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Calendar;
import java.util.Date;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes and reads petisco's JSON envelope:
 * <pre>{@code
 * {"data": {"id": "...", "type": "user.created", "type_message": "domain_event", "version": 1,
 *           "occurred_on": "2026-11-22 10:15:30.123456", "attributes": {"user_id": "..."}, "meta": {}}}
 * }</pre>
 * Attributes are the payload's fields in snake_case ({@code userId} -> {@code user_id}). {@code Instant} and
 * {@code LocalDateTime} values are written in petisco's format ({@code 2026-11-22 10:15:30.123456}, UTC for an
 * Instant), other java.time values as ISO-8601; times are read in either format. Unknown fields are ignored; a
 * missing {@code id}, {@code occurred_on} or {@code meta} gets a default (a random UUID, now, empty), as petisco
 * does. Jackson runs without default typing: a body can only become a type that was registered.
 *
 * <p><b>Typed decoding is strict</b> with the {@link #defaultMapper()}: attributes that do not match their type are
 * an {@link MessageDecodingException.Reason#ATTRIBUTES_MISMATCH} naming the field ({@code attributes.seq: expected an
 * integer, got string "1"}), never coerced: a string, a fraction, {@code null} or {@code ""} for an integer, a
 * number or boolean for a string, a missing or null primitive, an impossible date (February 30), a number for an
 * enum or a time. A body with a duplicate key is refused. Untyped decoding ({@link #decodeUntyped}) takes attributes
 * as they are. The envelope's own fields are checked with any mapper: {@code version} a positive JSON integer (not
 * {@code "1"}), {@code type} a non-empty string, {@code id} a UUID, {@code type_message} one of the kinds,
 * {@code occurred_on} a valid time, {@code attributes} and {@code meta} objects, nothing after the JSON value.
 * Leniency is opt-in: {@link #lenientMapper()}, or a mapper of your own.
 *
 * <p>Thread-safe. Every decoding failure is a {@link MessageDecodingException} with a reason.
 */
public final class MessageCodec {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final MessageRegistry registry;
    private final ObjectMapper mapper;
    /** The mapper's reader, refusing anything after the body's JSON value whatever the mapper's settings. */
    private final ObjectReader bodyReader;
    /** The one-pass decoding of {@link #decode}, which hands anything unusual to the tree path. */
    private final DirectDecoder direct;

    /** A codec reading the types of {@code registry}, with the {@link #defaultMapper()}: strict typed decoding. */
    public MessageCodec(MessageRegistry registry) {
        this(registry, defaultMapper());
    }

    /**
     * A codec with a mapper of your own (for extra modules, or other rules). Its settings decide how strictly
     * attributes are mapped onto types and whether a duplicate key is refused; start from
     * {@link #defaultMapperBuilder()} to keep eventbus's formats and rules. It should ignore unknown properties and
     * must not enable default typing.
     */
    public MessageCodec(MessageRegistry registry, ObjectMapper mapper) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.bodyReader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.direct = new DirectDecoder(registry, mapper, bodyReader);
    }

    /**
     * The mapper the default codec uses, built by {@link #defaultMapperBuilder()}: snake_case properties, java.time
     * as described above, unknown properties ignored, and strict typed decoding.
     */
    public static ObjectMapper defaultMapper() {
        return defaultMapperBuilder().build();
    }

    /**
     * The builder of {@link #defaultMapper()}, to add modules or change a setting while keeping the rest. Its rules
     * for strict typed decoding are Jackson's own settings, so they apply however Jackson reads (a tree or a stream):
     * <ul>
     *   <li>{@code MapperFeature.ALLOW_COERCION_OF_SCALARS} off, and a {@code CoercionConfig} that fails on an integer,
     *       a fraction or a boolean for a string and on an empty string for anything but a string;</li>
     *   <li>{@code ACCEPT_FLOAT_AS_INT} off, {@code FAIL_ON_NULL_FOR_PRIMITIVES} and {@code FAIL_ON_NUMBERS_FOR_ENUMS}
     *       on (a missing primitive is a null one: use a wrapper type or {@code Optional} for a field that may be absent);</li>
     *   <li>{@code StreamReadFeature.STRICT_DUPLICATE_DETECTION} on;</li>
     *   <li>dates and times resolved strictly (no February 30), as petisco's own readers do: java.time's ISO formats
     *       and petisco's are, and {@code java.util.Date} and {@code Calendar} are made non-lenient. A field with a
     *       {@code @JsonFormat} pattern of its own follows it (add {@code lenient = OptBoolean.FALSE} for strictness).</li>
     * </ul>
     */
    public static JsonMapper.Builder defaultMapperBuilder() {
        return baseMapperBuilder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfigDefaults(config -> config
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                        .setAcceptBlankAsEmpty(false))
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // java.time resolves strictly already (ISO formats, and WireTime's); the old date types need telling.
                // Not defaultLeniency(false): it would make a user's @JsonFormat(pattern = "yyyy-...") unparseable
                .withConfigOverride(Date.class, override -> override.setFormat(JsonFormat.Value.forLeniency(false)))
                .withConfigOverride(Calendar.class, override -> override.setFormat(JsonFormat.Value.forLeniency(false)));
    }

    /**
     * A mapper with the default one's names and formats but Jackson's lenient defaults: scalars coerced
     * ({@code "1"} or {@code 1.5} for an int, {@code 5} for a string, {@code null} or {@code ""} for a primitive as
     * its default), a duplicate key keeping the last value. For messages from producers you cannot fix:
     * {@code new MessageCodec(registry, MessageCodec.lenientMapper())}. Impossible dates are refused all the same.
     */
    public static ObjectMapper lenientMapper() {
        return baseMapperBuilder().build();
    }

    private static JsonMapper.Builder baseMapperBuilder() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .addModule(new JavaTimeModule())
                // after JavaTimeModule, so that petisco's time format wins for the types it covers
                .addModule(WireTime.module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
    }

    /** The registry this codec decodes with. */
    public MessageRegistry registry() {
        return registry;
    }

    /**
     * Writes a message as a JSON envelope (UTF-8), to be published.
     *
     * @throws MessageEncodingException if the payload cannot be written as JSON, or the message has kind
     *                                  {@link MessageKind#MESSAGE}, which no routing key or queue carries
     */
    public byte[] encode(Message<?> message) {
        if (message.kind() == MessageKind.MESSAGE) {
            throw new MessageEncodingException(message.describe() + " cannot be published: its kind is message, petisco's"
                    + " untyped base kind, which petisco and eventbus read but never route (routing keys and queues say event"
                    + " or command); publish it as a domain event or a command, e.g. new Message<>(id, name, version,"
                    + " MessageKind.DOMAIN_EVENT, occurredOn, payload, meta)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeFieldName("data");
            json.writeStartObject();
            json.writeStringField("id", message.id());
            json.writeStringField("type", message.name());
            json.writeStringField("type_message", message.kind().wireValue());
            json.writeNumberField("version", message.version());
            json.writeStringField("occurred_on", formatOccurredOn(message.occurredOn()));
            json.writeFieldName("attributes");
            mapper.writeValue(json, message.payload());
            json.writeFieldName("meta");
            writeMeta(json, message.meta());
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new MessageEncodingException("cannot write " + message.describe() + " as JSON: "
                    + summarize(e) + "; make its fields plain values, records, lists or maps", e);
        }
        return out.toByteArray();
    }

    /**
     * The attributes of a message as a JSON tree, as they would be written (for validation before publishing).
     *
     * @throws MessageEncodingException if the payload cannot be written as JSON, or is not a JSON object
     */
    public ObjectNode attributes(Message<?> message) {
        JsonNode tree;
        try {
            tree = mapper.valueToTree(message.payload());
        } catch (IllegalArgumentException e) {
            throw new MessageEncodingException("cannot write " + message.describe() + " as JSON: " + e.getMessage(), e);
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new MessageEncodingException(message.describe() + " has a payload of " + message.payload().getClass().getName()
                    + ", which is written as JSON " + tree.getNodeType() + "; attributes must be a JSON object: use a record or class");
        }
        return object;
    }

    /**
     * Decodes a body into a typed message, looking its type up in the registry by name and version. The result and
     * the errors are those of {@code toMessage(decodeEnvelope(body))}, but a well-formed body is read in one pass:
     * its attributes are bound straight from the bytes onto the type, without a JSON tree in between (a body that
     * does not decode is read again through the tree, to say exactly why). Use {@link #decodeEnvelope} when a
     * validator needs the attributes as a tree.
     *
     * @throws MessageDecodingException with the reason the body cannot be decoded
     */
    public Message<?> decode(byte[] body) {
        Message<?> message = direct.decode(body);
        return message != null ? message : toMessage(decodeEnvelope(body));
    }

    /**
     * Maps a decoded envelope onto its registered Java type.
     *
     * @throws MessageDecodingException UNKNOWN_TYPE if no type is registered, ATTRIBUTES_MISMATCH if the
     *                                  attributes do not fit it, INVALID_FIELD if the kinds disagree
     */
    public Message<?> toMessage(Envelope envelope) {
        MessageType<?> type = registry.find(envelope.name(), envelope.version())
                .orElseThrow(() -> unknownType(envelope));
        if (envelope.kind() != type.kind() && envelope.kind() != MessageKind.MESSAGE) {
            throw new MessageDecodingException(MessageDecodingException.Reason.INVALID_FIELD, "type_message", envelope.describe()
                    + " says type_message '" + envelope.kind().wireValue() + "' but " + type.javaType().getName()
                    + " is registered as " + type.kind().wireValue(), null);
        }
        return toMessage(envelope, type);
    }

    /**
     * Maps a decoded envelope onto the given type, whatever its name.
     *
     * @throws MessageDecodingException ATTRIBUTES_MISMATCH if the attributes do not fit the type
     */
    public <T> Message<T> toMessage(Envelope envelope, MessageType<T> type) {
        T payload;
        try {
            payload = mapper.treeToValue(envelope.attributes(), type.javaType());
        } catch (JsonProcessingException e) {
            throw AttributeMismatch.of(e, envelope.describe(), type.javaType(), envelope.attributes());
        } catch (IllegalArgumentException e) {
            throw new MessageDecodingException(MessageDecodingException.Reason.ATTRIBUTES_MISMATCH, "attributes", "attributes of "
                    + envelope.describe() + " do not map onto " + type.javaType().getName() + ": " + e.getMessage(), e);
        }
        if (payload == null) {
            throw new MessageDecodingException(MessageDecodingException.Reason.ATTRIBUTES_MISMATCH, "attributes of "
                    + envelope.describe() + " map onto null " + type.javaType().getName());
        }
        return new Message<>(envelope.id(), envelope.name(), envelope.version(), envelope.kind(), envelope.occurredOn(),
                payload, envelope.meta());
    }

    /**
     * Decodes a body without a Java type: attributes as a map. What a store handler receives.
     *
     * @throws MessageDecodingException if the envelope itself is broken
     */
    public Message<Map<String, Object>> decodeUntyped(byte[] body) {
        return untyped(decodeEnvelope(body));
    }

    /** An envelope as an untyped message, attributes as a map. */
    public Message<Map<String, Object>> untyped(Envelope envelope) {
        Map<String, Object> attributes = mapper.convertValue(envelope.attributes(), MAP);
        return new Message<>(envelope.id(), envelope.name(), envelope.version(), envelope.kind(), envelope.occurredOn(),
                attributes, envelope.meta());
    }

    /**
     * Reads the envelope of a body without mapping its attributes to a type.
     *
     * @throws MessageDecodingException UNDECODABLE_BODY, NO_DATA_ENVELOPE or INVALID_FIELD
     */
    public Envelope decodeEnvelope(byte[] body) {
        JsonNode root;
        try {
            root = bodyReader.readTree(body);
        } catch (StreamReadException e) {
            MessageDecodingException duplicate = duplicateKey(e);
            if (duplicate != null) {
                throw duplicate;
            }
            throw new MessageDecodingException(MessageDecodingException.Reason.UNDECODABLE_BODY,
                    "body is not JSON (" + summarize(e) + "); eventbus and petisco bodies are JSON objects {\"data\": {...}}", e);
        } catch (IOException e) {
            throw new MessageDecodingException(MessageDecodingException.Reason.UNDECODABLE_BODY,
                    "body is not JSON (" + summarize(e) + "); eventbus and petisco bodies are JSON objects {\"data\": {...}}", e);
        }
        if (root == null || root.isMissingNode()) {
            throw new MessageDecodingException(MessageDecodingException.Reason.UNDECODABLE_BODY,
                    "body is empty; eventbus and petisco bodies are JSON objects {\"data\": {...}}");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new MessageDecodingException(MessageDecodingException.Reason.NO_DATA_ENVELOPE,
                    "body has no \"data\" object (found " + (root.isObject() ? "fields " + fieldNames(root) : "JSON " + root.getNodeType())
                            + "); it is not petisco's envelope {\"data\": {\"type\": ..., \"attributes\": ...}}");
        }
        String name = requiredText(data, "type");
        MessageKind kind = kind(data, name);
        int version = version(data, name);
        String id = id(data, name);
        Instant occurredOn = data.hasNonNull("occurred_on") ? parseOccurredOn(text(data, "occurred_on", name), name)
                : Instant.now().truncatedTo(ChronoUnit.MICROS);
        JsonNode attributes = data.get("attributes");
        if (attributes != null && !attributes.isNull() && !attributes.isObject()) {
            throw invalid(name, "attributes", "attributes is JSON " + attributes.getNodeType() + ", not an object");
        }
        JsonNode meta = data.get("meta");
        if (meta != null && !meta.isNull() && !meta.isObject()) {
            throw invalid(name, "meta", "meta is JSON " + meta.getNodeType() + ", not an object");
        }
        ObjectNode attributeObject = attributes instanceof ObjectNode object ? object : mapper.createObjectNode();
        // an empty meta (the usual case) skips Jackson's conversion, which would return the same empty LinkedHashMap
        Map<String, Object> metaMap = meta instanceof ObjectNode object && !object.isEmpty()
                ? metaMap(object) : new LinkedHashMap<>();
        return new Envelope(id, name, version, kind, occurredOn, attributeObject, metaMap);
    }

    /** Formats a time as petisco's {@code occurred_on}: UTC, microseconds, no zone. */
    public static String formatOccurredOn(Instant instant) {
        return WireTime.format(instant);
    }

    /**
     * Parses an {@code occurred_on} value (petisco's format or ISO-8601; UTC when no zone is given), strictly: an
     * impossible date or time such as February 30 is an error, not the nearest valid one.
     *
     * @throws MessageDecodingException INVALID_FIELD if it is neither, saying why
     */
    public static Instant parseOccurredOn(String value, String messageName) {
        try {
            return WireTime.parseInstant(value);
        } catch (DateTimeException e) {
            throw invalid(messageName, "occurred_on", "occurred_on " + quote(value) + " is not a time like "
                    + WireTime.EXAMPLE + " (UTC): " + e.getMessage());
        }
    }

    /**
     * The error for a duplicate key, which {@code STRICT_DUPLICATE_DETECTION} reports as a parse error; null for any
     * other parse error. A duplicate is refused because readers disagree on which value counts.
     */
    private static MessageDecodingException duplicateKey(StreamReadException e) {
        String text = e.getOriginalMessage();
        JsonParser parser = e.getProcessor();
        if (text == null || !text.startsWith("Duplicate field '") || parser == null) {
            return null;
        }
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext context = parser.getParsingContext(); context != null && !context.inRoot(); context = context.getParent()) {
            parts.addFirst(context.inArray() ? "[" + context.getCurrentIndex() + "]" : "." + context.getCurrentName());
        }
        String path = String.join("", parts).substring(parts.isEmpty() ? 0 : 1);
        String field = path.startsWith("data.") ? path.substring("data.".length()) : null;
        return new MessageDecodingException(MessageDecodingException.Reason.UNDECODABLE_BODY, field, "body has the key "
                + text.substring("Duplicate field ".length()) + " twice at " + path + ": a body with a duplicate key is"
                + " ambiguous (JSON readers disagree on which value counts), so it is refused", e);
    }

    /** The id: a UUID, or a new one when missing or null (as petisco does); anything else is invalid. */
    private static String id(JsonNode data, String name) {
        JsonNode node = data.get("id");
        if (node == null || node.isNull()) {
            return UUID.randomUUID().toString();
        }
        String id = text(data, "id", name);
        if (!MessageIds.isUuid(id)) {
            throw invalid(name, "id", "id " + MessageIds.problem(id));
        }
        return id;
    }

    private static MessageKind kind(JsonNode data, String name) {
        JsonNode node = data.get("type_message");
        if (node == null || node.isNull()) {
            return MessageKind.DOMAIN_EVENT;
        }
        if (!node.isTextual()) {
            throw invalid(name, "type_message", "type_message is JSON " + node.getNodeType() + ", not a string");
        }
        try {
            return MessageKind.fromWire(node.asText());
        } catch (IllegalArgumentException e) {
            throw invalid(name, "type_message", e.getMessage());
        }
    }

    private static int version(JsonNode data, String name) {
        JsonNode node = data.get("version");
        if (node == null || node.isNull()) {
            throw invalid(name, "version", "version is missing");
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw invalid(name, "version", "version is not an integer: " + node);
        }
        if (node.intValue() < 1) {
            throw invalid(name, "version", "version " + node.intValue() + " is not positive");
        }
        return node.intValue();
    }

    private static String requiredText(JsonNode data, String field) {
        JsonNode node = data.get(field);
        if (node == null || node.isNull()) {
            throw new MessageDecodingException(MessageDecodingException.Reason.INVALID_FIELD, field,
                    "data." + field + " is missing: the envelope must name the message type, e.g. \"type\": \"user.created\"", null);
        }
        if (!node.isTextual() || node.asText().isEmpty()) {
            throw new MessageDecodingException(MessageDecodingException.Reason.INVALID_FIELD, field,
                    "data." + field + " is " + node + ", not a message name such as \"user.created\"", null);
        }
        return node.asText();
    }

    private static String text(JsonNode data, String field, String name) {
        JsonNode node = data.get(field);
        if (!node.isTextual()) {
            throw invalid(name, field, field + " is JSON " + node.getNodeType() + ", not a string");
        }
        return node.asText();
    }

    private static MessageDecodingException invalid(String name, String field, String problem) {
        return new MessageDecodingException(MessageDecodingException.Reason.INVALID_FIELD, field,
                "envelope of message '" + name + "' is invalid: " + problem, null);
    }

    private MessageDecodingException unknownType(Envelope envelope) {
        var versions = registry.versions(envelope.name());
        String known = versions.isEmpty() ? "no version of '" + envelope.name() + "' is registered"
                : "registered versions of '" + envelope.name() + "': " + versions;
        return new MessageDecodingException(MessageDecodingException.Reason.UNKNOWN_TYPE, "no Java type for "
                + envelope.describe() + " (" + known + "); subscribe a handler to it or register its class");
    }

    /** A value quoted for an error, cut to a readable length (it comes from the network). */
    private static String quote(String value) {
        return value.length() > 60 ? "'" + value.substring(0, 60) + "...' (" + value.length() + " characters)" : "'" + value + "'";
    }

    private static String fieldNames(JsonNode object) {
        StringBuilder names = new StringBuilder("[");
        object.fieldNames().forEachRemaining(n -> names.append(names.length() > 1 ? ", " : "").append(n));
        return names.append(']').toString();
    }

    /**
     * Writes meta. A meta of string values only (trace context, correlation ids: the usual case) is written field by
     * field, which is what Jackson's map serializer writes for it, without its per-message serializer lookups.
     */
    private void writeMeta(JsonGenerator json, Map<String, Object> meta) throws IOException {
        boolean strings = !mapper.isEnabled(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        for (Object value : meta.values()) {
            strings &= value instanceof String;
        }
        if (!strings) {
            mapper.writeValue(json, meta);
            return;
        }
        json.writeStartObject();
        for (Map.Entry<String, Object> entry : meta.entrySet()) {
            json.writeStringField(entry.getKey(), (String) entry.getValue());
        }
        json.writeEndObject();
    }

    /** Reads meta: string fields directly (the usual case), anything else through Jackson's conversion. */
    private Map<String, Object> metaMap(ObjectNode object) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (var fields = object.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                return mapper.convertValue(object, MAP);
            }
            map.put(field.getKey(), field.getValue().textValue());
        }
        return map;
    }

    private static String summarize(IOException e) {
        String text = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (text == null) {
            return e.getClass().getSimpleName();
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
