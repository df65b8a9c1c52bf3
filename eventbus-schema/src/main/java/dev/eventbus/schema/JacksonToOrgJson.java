package dev.eventbus.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * Copies a Jackson tree into the org.json model everit validates.
 *
 * <p>Cost: one walk over the tree, allocating one org.json container per object or array and reusing
 * Jackson's already parsed scalars (Strings are shared, not copied; numbers are boxed once). There is no
 * JSON text in between: no serialising and re-parsing. For the usual attributes object of a few dozen
 * fields this is a few microseconds, well below everit's own validation cost.
 *
 * <p>Numbers keep their Jackson kind (int, long, BigInteger, double, BigDecimal), so {@code "type":
 * "integer"} accepts what Jackson read as an integral number and rejects {@code 1.5}.
 */
final class JacksonToOrgJson {

    private JacksonToOrgJson() {
    }

    /** The org.json value for a node: JSONObject, JSONArray, String, Number, Boolean or {@link JSONObject#NULL}. */
    static Object convert(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return JSONObject.NULL;
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                JSONObject object = new JSONObject();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    object.put(field.getKey(), convert(field.getValue()));
                }
                return object;
            }
            case ARRAY -> {
                JSONArray array = new JSONArray();
                for (JsonNode item : node) {
                    array.put(convert(item));
                }
                return array;
            }
            case STRING -> {
                return node.textValue();
            }
            case NUMBER -> {
                return node.numberValue();
            }
            case BOOLEAN -> {
                return node.booleanValue();
            }
            default -> {
                // BINARY and POJO nodes only appear in trees built in code; they are written as text.
                return node.asText();
            }
        }
    }
}
