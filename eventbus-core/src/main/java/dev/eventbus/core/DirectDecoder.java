package dev.eventbus.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * Decodes a body straight into its registered type in one streaming pass over the bytes: the envelope's fields are
 * read token by token and {@code attributes} is bound by the type's {@link ObjectReader} from the same parser, without
 * building a JSON tree first (when {@code attributes} comes before {@code type} and {@code version}, its tokens are
 * kept in a {@link TokenBuffer} until the type is known).
 *
 * <p>It only ever decides the happy path. On anything unusual (a broken envelope, a field of the wrong JSON type, an
 * unknown type, attributes that do not bind, a duplicate envelope field, non-string meta values, trailing tokens) it
 * gives up and returns null, and {@link MessageCodec} decodes the body again through its tree, which then reports the
 * failure with the same reason and message as ever: every codec rule holds because the rules are not duplicated here.
 * A body this decoder accepts, the tree path accepts too, with the same result: the same mapper binds the same tokens,
 * and the envelope's fields are checked as the tree path checks them.
 *
 * <p>Thread-safe; its only state is the cache of one {@link ObjectReader} per payload type.
 */
final class DirectDecoder {

    private final MessageRegistry registry;
    private final ObjectMapper mapper;
    /** Creates parsers with the codec's stream-read settings (duplicate detection). */
    private final ObjectReader parsers;
    private final ConcurrentMap<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    DirectDecoder(MessageRegistry registry, ObjectMapper mapper, ObjectReader parsers) {
        this.registry = registry;
        this.mapper = mapper;
        this.parsers = parsers;
    }

    /** The message, or null when the body needs the tree path (to decode it, or to report why it cannot be). */
    @Nullable Message<?> decode(byte[] body) {
        try (JsonParser parser = parsers.createParser(body)) {
            Message<?> message = root(parser);
            // nothing may follow the body's JSON value (the tree path reads with FAIL_ON_TRAILING_TOKENS)
            return message != null && parser.nextToken() == null ? message : null;
        } catch (IOException | RuntimeException e) {
            return null; // the tree path reports it, with its own reason and message
        }
    }

    private @Nullable Message<?> root(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        Message<?> message = null;
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("data".equals(field)) {
                if (message != null || value != JsonToken.START_OBJECT) {
                    return null; // two data objects, or data is no object
                }
                message = data(parser);
                if (message == null) {
                    return null;
                }
            } else {
                parser.skipChildren();
            }
        }
        return message;
    }

    /** The fields of {@code data}, the parser on its START_OBJECT. */
    private @Nullable Message<?> data(JsonParser parser) throws IOException {
        String name = null;
        String kindText = null;
        int version = 0;
        String id = null;
        String occurredOnText = null;
        MessageType<?> type = null;
        Object payload = null;
        TokenBuffer buffered = null;
        Map<String, Object> meta = null;
        int seen = 0;
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            int bit = bit(field);
            if ((seen & bit) != 0) {
                return null; // a duplicate envelope field: the tree path decides which value counts, or refuses it
            }
            seen |= bit;
            switch (field) {
                case "type" -> {
                    if (value != JsonToken.VALUE_STRING || parser.getTextLength() == 0) {
                        return null;
                    }
                    name = parser.getText();
                }
                case "type_message" -> {
                    if (value != JsonToken.VALUE_NULL && value != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    kindText = value == JsonToken.VALUE_NULL ? null : parser.getText();
                }
                case "version" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                            || parser.getIntValue() < 1) {
                        return null;
                    }
                    version = parser.getIntValue();
                }
                case "id" -> {
                    if (value != JsonToken.VALUE_NULL && value != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    id = value == JsonToken.VALUE_NULL ? null : parser.getText();
                }
                case "occurred_on" -> {
                    if (value != JsonToken.VALUE_NULL && value != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    occurredOnText = value == JsonToken.VALUE_NULL ? null : parser.getText();
                }
                case "attributes" -> {
                    if (value != JsonToken.START_OBJECT) {
                        return null; // null or missing attributes are rare: the tree path maps them from {}
                    }
                    if (name != null && version > 0) {
                        type = typeOf(name, version);
                        if (type == null) {
                            return null;
                        }
                        payload = reader(type).readValue(parser);
                    } else {
                        buffered = TokenBuffer.asCopyOfValue(parser);
                    }
                }
                case "meta" -> {
                    if (value == JsonToken.START_OBJECT) {
                        meta = meta(parser);
                        if (meta == null) {
                            return null;
                        }
                    } else if (value != JsonToken.VALUE_NULL) {
                        return null;
                    }
                }
                default -> parser.skipChildren();
            }
        }
        if (name == null || version == 0 || (seen & bit("attributes")) == 0) {
            return null;
        }
        if (buffered != null) {
            type = typeOf(name, version);
            if (type == null) {
                return null;
            }
            try (JsonParser replay = buffered.asParser()) {
                payload = reader(type).readValue(replay);
            }
        }
        MessageKind kind = kindText == null ? MessageKind.DOMAIN_EVENT : MessageKind.fromWire(kindText);
        if (type == null || payload == null || kind != type.kind() && kind != MessageKind.MESSAGE) {
            return null;
        }
        if (id == null) {
            id = UUID.randomUUID().toString();
        } // else checked by Message's constructor, whose InvalidMessageException sends the body to the tree path
        Instant occurredOn;
        try {
            occurredOn = occurredOnText == null ? Instant.now().truncatedTo(ChronoUnit.MICROS) : WireTime.parseInstant(occurredOnText);
        } catch (DateTimeException e) {
            return null;
        }
        return new Message<>(id, name, version, kind, occurredOn, payload, meta == null ? Map.of() : meta);
    }

    /** Meta of string values (the usual case: trace context, correlation ids); null for anything else. */
    private static @Nullable Map<String, Object> meta(JsonParser parser) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String key = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING || meta.containsKey(key)) {
                return null;
            }
            meta.put(key, parser.getText());
        }
        return meta;
    }

    private @Nullable MessageType<?> typeOf(String name, int version) {
        return registry.find(name, version).orElse(null);
    }

    private ObjectReader reader(MessageType<?> type) {
        // without FAIL_ON_TRAILING_TOKENS: the attributes are followed by the rest of the envelope
        return readers.computeIfAbsent(type.javaType(),
                javaType -> mapper.readerFor(javaType).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS));
    }

    private static int bit(String field) {
        return switch (field) {
            case "type" -> 1;
            case "type_message" -> 2;
            case "version" -> 4;
            case "id" -> 8;
            case "occurred_on" -> 16;
            case "attributes" -> 32;
            case "meta" -> 64;
            default -> 0;
        };
    }
}
