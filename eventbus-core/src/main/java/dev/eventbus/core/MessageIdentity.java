package dev.eventbus.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The id, name and version a body says it has ({@code data.id}, {@code data.type}, {@code data.version}), read
 * leniently and without building the whole tree: a dead letter's body may be anything, so nothing here throws.
 */
record MessageIdentity(@Nullable String id, @Nullable String name, int version) {

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    static MessageIdentity read(byte[] body) {
        String id = null;
        String name = null;
        int version = 0;
        try (JsonParser parser = MAPPER.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new MessageIdentity(null, null, 0);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("data") && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = parser.currentName();
                        JsonToken token = parser.nextToken();
                        switch (inner) {
                            case "id" -> id = token.isScalarValue() ? parser.getValueAsString() : id;
                            case "type" -> name = token == JsonToken.VALUE_STRING ? parser.getText() : name;
                            case "version" -> version = token.isNumeric() || token == JsonToken.VALUE_STRING
                                    ? Math.max(0, parser.getValueAsInt(0)) : version;
                            default -> {
                            }
                        }
                        parser.skipChildren();
                    }
                    break;
                }
                parser.skipChildren();
            }
        } catch (IOException | RuntimeException unreadable) {
            // whatever was read before the body went wrong stands
        }
        return new MessageIdentity(id, name, version);
    }
}
