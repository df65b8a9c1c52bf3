package dev.eventbus.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.time.temporal.TemporalAmount;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns Jackson's failure to map attributes onto a type into a {@link MessageDecodingException} that names the
 * field, what the type expects and what the message has: {@code attributes.seq: expected an integer, got string "1"}.
 * Runs only on failure, so decoding itself stays Jackson's own. Stateless.
 */
final class AttributeMismatch {

    private static final int MAX_SHOWN = 60;

    private AttributeMismatch() {
    }

    /**
     * The decoding error for a failure to map attributes onto {@code type}.
     *
     * @param attributes the attributes as a tree, to show the value at fault; null when decoded without one (the
     *                   value is then read from the parser Jackson failed at)
     */
    static MessageDecodingException of(JsonProcessingException failure, String message, Class<?> type, JsonNode attributes) {
        String field = failure instanceof JsonMappingException mapping ? path(mapping.getPath()) : "attributes";
        String problem = problem(failure, type, field, attributes);
        return new MessageDecodingException(MessageDecodingException.Reason.ATTRIBUTES_MISMATCH, field,
                "attributes of " + message + " do not map onto " + type.getName() + ": " + problem, failure);
    }

    private static String problem(JsonProcessingException failure, Class<?> type, String field, JsonNode attributes) {
        if (failure instanceof ValueInstantiationException instantiation) {
            Throwable cause = instantiation.getCause() == null ? instantiation : instantiation.getCause();
            return field + ": " + instantiation.getType().getRawClass().getName() + " refused the values (" + firstLine(cause.getMessage()) + ")";
        }
        if (failure instanceof InvalidDefinitionException) {
            return field + ": " + firstLine(failure.getOriginalMessage()) + "; give the type a constructor Jackson can call (a record)";
        }
        Class<?> target = failure instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
        InputCoercionException range = cause(failure, InputCoercionException.class);
        if (range != null) {
            target = range.getTargetType();
        }
        String found = found(failure, field, attributes);
        if (target == null) {
            return field + ": " + firstLine(failure.getOriginalMessage()) + (found == null ? "" : ", got " + found);
        }
        String expected = range != null ? "an integer in the range of " + target.getName() + " (" + range(target) + ")" : expected(target);
        DateTimeException time = cause(failure, DateTimeException.class);
        return field + ": expected " + expected + ", got " + (found == null ? "something else" : found)
                + (time == null ? "" : " (" + firstLine(time.getMessage()) + ")");
    }

    /** {@code attributes.items[2].price}: the path of the failure inside the attributes. */
    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder("attributes");
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                path.append('.').append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** What the message has at the field: from the tree when there is one, else from the parser. Null if unknown. */
    private static String found(JsonProcessingException failure, String field, JsonNode attributes) {
        if (attributes != null && failure instanceof JsonMappingException mapping) {
            JsonNode node = attributes;
            for (JsonMappingException.Reference reference : mapping.getPath()) {
                node = reference.getFieldName() != null ? node.path(reference.getFieldName())
                        : reference.getIndex() >= 0 ? node.path(reference.getIndex()) : node;
            }
            return node.isMissingNode() ? "nothing (" + field + " is missing)" : describe(node);
        }
        Object processor = failure.getProcessor();
        if (processor == null && failure.getCause() instanceof JsonProcessingException cause) {
            processor = cause.getProcessor();
        }
        if (processor instanceof JsonParser parser && parser.currentToken() != null) {
            return describe(parser);
        }
        return null;
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "string " + quote(node.textValue());
            case NUMBER -> node.isIntegralNumber() ? "integer " + node.asText()
                    // a double's own text would be 1.764582141652E9 for 1764582141.652
                    : "number " + (Double.isFinite(node.doubleValue()) ? node.decimalValue().toPlainString() : node.asText());
            case BOOLEAN -> "boolean " + node.asText();
            case NULL -> "null";
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String describe(JsonParser parser) {
        try {
            JsonToken token = parser.currentToken();
            return switch (token) {
                case VALUE_STRING -> "string " + quote(parser.getText());
                case VALUE_NUMBER_INT -> "integer " + parser.getText();
                case VALUE_NUMBER_FLOAT -> "number " + parser.getText();
                case VALUE_TRUE, VALUE_FALSE -> "boolean " + parser.getText();
                case VALUE_NULL -> "null";
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case END_OBJECT -> "nothing (the field is missing)";
                default -> token.name();
            };
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The text as a JSON string, cut to a readable length (it comes from the network). */
    private static String quote(String text) {
        String shown = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) : text;
        String json = JsonNodeFactory.instance.textNode(shown).toString();
        return text.length() > MAX_SHOWN ? json + "... (" + text.length() + " characters)" : json;
    }

    /** What a Java type expects, in JSON's words. */
    static String expected(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class || type == short.class
                || type == Short.class || type == byte.class || type == Byte.class || type == BigInteger.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
                || type == BigDecimal.class || type == Number.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean (true or false)";
        }
        if (type == char.class || type == Character.class) {
            return "a string of one character";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.toString(type.getEnumConstants());
        }
        if (type == LocalDate.class) {
            return "a date like 2026-11-22";
        }
        if (type == Instant.class || type == LocalDateTime.class || type == OffsetDateTime.class) {
            return "a time like " + WireTime.EXAMPLE;
        }
        if (type == LocalTime.class) {
            return "a time of day like 10:15:30";
        }
        if (type == ZonedDateTime.class) {
            return "a time like 2026-11-22T10:15:30+01:00[Europe/Paris]";
        }
        if (type == Duration.class) {
            return "a duration like PT30M";
        }
        if (Temporal.class.isAssignableFrom(type) || TemporalAmount.class.isAssignableFrom(type)) {
            return article(type.getSimpleName()) + " in ISO-8601";
        }
        if (type == UUID.class) {
            return "a UUID";
        }
        if (type == byte[].class) {
            return "a base64 string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord() || !type.isPrimitive() && !type.getName().startsWith("java.")) {
            return "an object";
        }
        return article(type.getSimpleName());
    }

    private static String article(String noun) {
        return ("AEIOUaeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    private static String range(Class<?> type) {
        if (type == int.class || type == Integer.class) {
            return Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (type == long.class || type == Long.class) {
            return Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        if (type == short.class || type == Short.class) {
            return Short.MIN_VALUE + " to " + Short.MAX_VALUE;
        }
        if (type == byte.class || type == Byte.class) {
            return Byte.MIN_VALUE + " to " + Byte.MAX_VALUE;
        }
        return "its range";
    }

    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "no detail";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
