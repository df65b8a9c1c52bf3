package dev.eventbus.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What makes messages of an ordered subscription ({@link Subscription#orderedBy}) belong together: messages with the
 * same key are handled one at a time, in the order they were delivered; messages with different keys in parallel (as
 * Axon's sequencing policies). Immutable and thread-safe.
 *
 * <pre>{@code
 * OrderingKey.attribute("task_id")                       // the payload field task_id, as written on the wire
 * OrderingKey.meta("tenant")                             // a meta entry
 * OrderingKey.of(message -> message.payload().get("task_id") + "/" + message.name())   // a function of the message
 * }</pre>
 *
 * <p>The key is read from the message as it arrives, before the handler's own decoding: {@link #attribute} and
 * {@link #meta} scan the body for one value; {@link #of} decodes the message untyped (attributes as a map), so it works
 * for a subscription of several types. A message whose key cannot be read (a body that is not a message, a missing
 * field) gets the empty key: such messages are ordered among themselves, and the pipeline dead-letters the undecodable.
 */
public final class OrderingKey {

    private static final JsonFactory JSON = new JsonFactory();
    private static final String NONE = "";

    private final String description;
    private final @Nullable String section;
    private final @Nullable String field;
    private final @Nullable Function<Message<Map<String, Object>>, ?> function;

    private OrderingKey(String description, @Nullable String section, @Nullable String field,
                        @Nullable Function<Message<Map<String, Object>>, ?> function) {
        this.description = description;
        this.section = section;
        this.field = field;
        this.function = function;
    }

    /**
     * The value of one attribute (payload field), by its name on the wire (snake_case, as the body writes it).
     *
     * @throws ConfigurationException if the name is blank
     */
    public static OrderingKey attribute(String name) {
        return new OrderingKey("attribute " + requireName(name, "attribute"), "attributes", name, null);
    }

    /**
     * The value of one meta entry, e.g. a tenant or aggregate id the publisher put in with {@link Message#withMeta}.
     *
     * @throws ConfigurationException if the name is blank
     */
    public static OrderingKey meta(String name) {
        return new OrderingKey("meta " + requireName(name, "meta"), "meta", name, null);
    }

    /**
     * A function of the message, decoded untyped (attributes as a map); a null result is the empty key. Called on the
     * consumer's dispatch thread for every delivery: keep it cheap and free of side effects.
     */
    public static OrderingKey of(Function<Message<Map<String, Object>>, ?> function) {
        return new OrderingKey("a function of the message", null, null, Objects.requireNonNull(function, "function"));
    }

    private static String requireName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isBlank()) {
            throw new ConfigurationException("an ordering key's " + what + " name is blank: name the field, e.g. \"task_id\"");
        }
        return name;
    }

    /**
     * The key of a message as it arrived; the empty string when it cannot be read. Never throws for a bad body.
     *
     * @param body  the body as received
     * @param codec decodes the message for a {@link #of function} key
     */
    public String keyOf(byte[] body, MessageCodec codec) {
        try {
            if (function != null) {
                Object key = function.apply(codec.decodeUntyped(body));
                return key == null ? NONE : key.toString();
            }
            return scan(body);
        } catch (IOException | RuntimeException unreadable) {
            return NONE; // the pipeline dead-letters a body it cannot decode; ordered with the other unreadable ones
        }
    }

    /** Streams to {@code data.<section>.<field>} and returns its scalar text, without building a tree. */
    private String scan(byte[] body) throws IOException {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT || !enter(parser, "data") || !enter(parser, section)) {
                return NONE;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals(field)) {
                    return value.isScalarValue() && value != JsonToken.VALUE_NULL ? parser.getText() : NONE;
                }
                parser.skipChildren();
            }
            return NONE;
        }
    }

    /** Moves into the object value of a field of the current object; false if there is none. */
    private static boolean enter(JsonParser parser, @Nullable String name) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String current = parser.currentName();
            JsonToken value = parser.nextToken();
            if (current.equals(name)) {
                return value == JsonToken.START_OBJECT;
            }
            parser.skipChildren();
        }
        return false;
    }

    @Override
    public String toString() {
        return "OrderingKey[" + description + "]";
    }
}
