package dev.eventbus.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
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
 * Attributes are the payload's fields in snake_case ({@code userId} -> {@code user_id}); java.time
 * values are ISO-8601 strings. Unknown fields are ignored; a missing {@code id}, {@code occurred_on} or
 * {@code meta} gets a default (a random UUID, now, empty), as petisco does. Jackson runs without default
 * typing: a body can only become a type that was registered.
 *
 * <p>Thread-safe. Every decoding failure is a {@link MessageDecodingException} with a reason.
 */
public final class MessageCodec {

    /** petisco's {@code %Y-%m-%d %H:%M:%S.%f}, in UTC. */
    private static final DateTimeFormatter WRITE_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    /** Also reads ISO-8601 ({@code T} separator, 0-9 fraction digits, optional zone {@code Z} or offset). */
    private static final DateTimeFormatter READ_FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd")
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .toFormatter();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final MessageRegistry registry;
    private final ObjectMapper mapper;

    /** A codec reading the types of {@code registry}, with the default Jackson settings described above. */
    public MessageCodec(MessageRegistry registry) {
        this(registry, defaultMapper());
    }

    /**
     * A codec with a mapper of your own (for extra modules). It should ignore unknown properties and must
     * not enable default typing.
     */
    public MessageCodec(MessageRegistry registry, ObjectMapper mapper) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** The mapper the default codec uses: snake_case properties, java.time as ISO strings, unknown properties ignored. */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .build();
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
            mapper.writeValue(json, message.meta());
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
     * Decodes a body into a typed message, looking its type up in the registry by name and version.
     *
     * @throws MessageDecodingException with the reason the body cannot be decoded
     */
    public Message<?> decode(byte[] body) {
        return toMessage(decodeEnvelope(body));
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
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new MessageDecodingException(MessageDecodingException.Reason.ATTRIBUTES_MISMATCH, "attributes of "
                    + envelope.describe() + " do not map onto " + type.javaType().getName() + ": " + detail, e);
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
            root = mapper.readTree(body);
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
                ? mapper.convertValue(object, MAP) : new LinkedHashMap<>();
        return new Envelope(id, name, version, kind, occurredOn, attributeObject, metaMap);
    }

    /** Formats a time as petisco's {@code occurred_on}: UTC, microseconds, no zone. */
    public static String formatOccurredOn(Instant instant) {
        LocalDateTime time = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        if (time.getYear() < 1000 || time.getYear() > 9999) {
            return WRITE_FORMAT.format(time);
        }
        // the common case written by hand: DateTimeFormatter costs more than the rest of the envelope's fields
        char[] out = new char[26];
        digits(out, 0, time.getYear(), 4);
        out[4] = '-';
        digits(out, 5, time.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, time.getDayOfMonth(), 2);
        out[10] = ' ';
        digits(out, 11, time.getHour(), 2);
        out[13] = ':';
        digits(out, 14, time.getMinute(), 2);
        out[16] = ':';
        digits(out, 17, time.getSecond(), 2);
        out[19] = '.';
        digits(out, 20, time.getNano() / 1000, 6);
        return new String(out);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * Parses an {@code occurred_on} value (petisco's format or ISO-8601; UTC when no zone is given).
     *
     * @throws MessageDecodingException INVALID_FIELD if it is neither
     */
    public static Instant parseOccurredOn(String value, String messageName) {
        if (value.length() < 11 || value.charAt(10) != ' ' && value.charAt(10) != 'T') {
            throw invalid(messageName, "occurred_on", "occurred_on '" + value + "' is not a time like 2026-11-22 10:15:30.123456 (UTC)");
        }
        Instant petisco = parsePetiscoFormat(value);
        if (petisco != null) {
            return petisco;
        }
        try {
            var parsed = READ_FORMAT.parse(value);
            LocalDateTime local = LocalDateTime.from(parsed);
            ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(parsed) : ZoneOffset.UTC;
            return local.toInstant(offset);
        } catch (DateTimeParseException e) {
            throw invalid(messageName, "occurred_on", "occurred_on '" + value + "' is not a time like 2026-11-22 10:15:30.123456 (UTC)");
        }
    }

    /**
     * petisco's own {@code yyyy-MM-dd HH:mm:ss.ffffff} (what every eventbus and petisco publisher writes) read by hand,
     * or null for anything else, including out-of-range fields, which the general parser then handles (and resolves
     * or rejects) as before.
     */
    private static Instant parsePetiscoFormat(String value) {
        if (value.length() != 26 || value.charAt(4) != '-' || value.charAt(7) != '-' || value.charAt(10) != ' '
                || value.charAt(13) != ':' || value.charAt(16) != ':' || value.charAt(19) != '.') {
            return null;
        }
        int year = number(value, 0, 4);
        int month = number(value, 5, 2);
        int day = number(value, 8, 2);
        int hour = number(value, 11, 2);
        int minute = number(value, 14, 2);
        int second = number(value, 17, 2);
        int micros = number(value, 20, 6);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > 28 && day > java.time.YearMonth.of(year, month).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || micros < 0) {
            return null;
        }
        return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000).toInstant(ZoneOffset.UTC);
    }

    /** The decimal number in {@code value[at, at + width)}, or -1 if a character is not an ASCII digit. */
    private static int number(String value, int at, int width) {
        int result = 0;
        for (int i = at; i < at + width; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            result = result * 10 + (c - '0');
        }
        return result;
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

    private static String fieldNames(JsonNode object) {
        StringBuilder names = new StringBuilder("[");
        object.fieldNames().forEachRemaining(n -> names.append(names.length() > 1 ? ", " : "").append(n));
        return names.append(']').toString();
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
