package dev.eventbus.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what {@code rabbitmqctl ... --formatter json} prints. Stateless and thread-safe.
 *
 * <p>RabbitMQ 3.10 prints AMQP tables (queue, exchange and binding arguments, client properties) as lists
 * of {@code [key, type, value]} triples, nested for {@code table} values:
 * {@code [["x-message-ttl","signedint",5000],["x-queue-type","longstr","classic"]]}; an empty table is
 * {@code []}. Newer versions print a JSON object instead. Both read as a {@code Map}.
 */
final class CtlOutput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CtlOutput() {
    }

    /**
     * The rows of a listing: the JSON array in the output, skipping any banner printed before it.
     *
     * @throws RabbitMqCtlException if the output holds no JSON array
     */
    static List<JsonNode> rows(String output, String command) {
        int start = output.indexOf('[');
        if (start < 0) {
            throw new RabbitMqCtlException("'" + command + "' printed no JSON array: " + abbreviate(output));
        }
        JsonNode root;
        try {
            root = JSON.readTree(output.substring(start));
        } catch (JsonProcessingException e) {
            throw new RabbitMqCtlException("could not read the JSON that '" + command + "' printed ("
                    + e.getOriginalMessage() + "): " + abbreviate(output), e);
        }
        if (root == null || !root.isArray()) {
            throw new RabbitMqCtlException("'" + command + "' printed no JSON array: " + abbreviate(output));
        }
        List<JsonNode> rows = new ArrayList<>();
        root.forEach(rows::add);
        return rows;
    }

    /**
     * The JSON object of a command that prints one ({@code status}), skipping any banner printed before it.
     *
     * @throws RabbitMqCtlException if the output holds no JSON object
     */
    static JsonNode object(String output, String command) {
        int start = output.indexOf('{');
        if (start < 0) {
            throw new RabbitMqCtlException("'" + command + "' printed no JSON object: " + abbreviate(output));
        }
        try {
            JsonNode root = JSON.readTree(output.substring(start));
            if (root == null || !root.isObject()) {
                throw new RabbitMqCtlException("'" + command + "' printed no JSON object: " + abbreviate(output));
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new RabbitMqCtlException("could not read the JSON that '" + command + "' printed ("
                    + e.getOriginalMessage() + "): " + abbreviate(output), e);
        }
    }

    /** An AMQP table in either printed form, as an unmodifiable map of Java values. */
    static Map<String, Object> table(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Map.of();
        }
        Map<String, Object> map = new LinkedHashMap<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(entry -> map.put(entry.getKey(), plain(entry.getValue())));
        } else if (node.isArray()) {
            for (JsonNode entry : node) {
                if (entry.isArray() && entry.size() == 3) {
                    map.put(entry.get(0).asText(), typed(entry.get(1).asText(), entry.get(2)));
                } else if (entry.isArray() && entry.size() == 2) {
                    map.put(entry.get(0).asText(), plain(entry.get(1)));
                }
            }
        }
        return Collections.unmodifiableMap(map);
    }

    /** A string field, empty when absent. */
    static String text(JsonNode row, String field) {
        JsonNode value = row.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }

    private static Object typed(String type, JsonNode value) {
        return switch (type) {
            case "table" -> table(value);
            case "array" -> array(value);
            default -> plain(value);
        };
    }

    private static List<Object> array(JsonNode value) {
        List<Object> list = new ArrayList<>();
        if (value.isArray()) {
            for (JsonNode element : value) {
                // Array elements are printed as [type, value] pairs.
                if (element.isArray() && element.size() == 2 && element.get(0).isTextual()) {
                    list.add(typed(element.get(0).asText(), element.get(1)));
                } else {
                    list.add(plain(element));
                }
            }
        }
        return Collections.unmodifiableList(list);
    }

    private static Object plain(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.canConvertToInt() ? (Object) value.intValue() : (Object) value.longValue();
        }
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isObject()) {
            return table(value);
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>();
            value.forEach(element -> list.add(plain(element)));
            return Collections.unmodifiableList(list);
        }
        return value.asText();
    }

    static String abbreviate(String output) {
        String trimmed = output.strip();
        return trimmed.length() <= 500 ? "'" + trimmed + "'" : "'" + trimmed.substring(0, 500) + "...'";
    }
}
