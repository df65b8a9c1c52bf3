package dev.eventbus.schema;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.json.JSONArray;
import org.json.JSONObject;

/** Reads JSON Schema keywords from org.json documents, for {@link ReadabilityCheck}. Stateless. */
final class SchemaKeywords {

    static final List<String> ALL_TYPES = List.of("null", "boolean", "integer", "number", "string", "array", "object");
    /** Keywords that never change which values are valid. */
    static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "id", "$comment", "title", "description", "default",
            "examples", "readOnly", "writeOnly", "deprecated", "definitions", "$defs", "contentMediaType", "contentEncoding");

    private SchemaKeywords() {
    }

    static JSONObject object(Object json) {
        return json instanceof JSONObject object ? object : new JSONObject();
    }

    static JSONObject properties(JSONObject schema) {
        JSONObject properties = schema.optJSONObject("properties");
        return properties != null ? properties : new JSONObject();
    }

    static boolean constrainsNothing(JSONObject schema) {
        for (String keyword : schema.keySet()) {
            if (!ANNOTATIONS.contains(keyword)) {
                return false;
            }
        }
        return true;
    }

    static JSONObject without(JSONObject schema, String keyword) {
        JSONObject copy = new JSONObject();
        for (String key : schema.keySet()) {
            if (!key.equals(keyword)) {
                copy.put(key, schema.get(key));
            }
        }
        return copy;
    }

    /** Both schemas at once, shallowly: properties merged, required united, types intersected, else {@code extra} wins. */
    static JSONObject merge(JSONObject base, JSONObject extra) {
        JSONObject merged = without(base, "\u0000");
        for (String key : extra.keySet()) {
            Object value = extra.get(key);
            if (key.equals("properties") && merged.optJSONObject("properties") != null && value instanceof JSONObject more) {
                JSONObject properties = without(merged.getJSONObject("properties"), "\u0000");
                more.keySet().forEach(name -> properties.put(name, more.get(name)));
                merged.put(key, properties);
            } else if (key.equals("required") && merged.optJSONArray("required") != null && value instanceof JSONArray more) {
                Set<String> required = new LinkedHashSet<>(strings(merged.getJSONArray("required")));
                required.addAll(strings(more));
                merged.put(key, new JSONArray(required));
            } else if (key.equals("type") && merged.has("type")) {
                Set<String> types = typeNames(merged.get("type"));
                types.retainAll(typeNames(value));
                merged.put(key, new JSONArray(types));
            } else {
                merged.put(key, value);
            }
        }
        return merged;
    }

    static Set<String> types(JSONObject schema) {
        if (schema.has("type")) {
            return typeNames(schema.get("type"));
        }
        List<Object> values = values(schema);
        if (values != null) {
            Set<String> types = new LinkedHashSet<>();
            values.forEach(value -> types.add(typeOf(value)));
            return types;
        }
        return new LinkedHashSet<>(ALL_TYPES);
    }

    static Set<String> typeNames(Object type) {
        Set<String> names = new LinkedHashSet<>();
        if (type instanceof String single) {
            names.add(single);
        } else if (type instanceof JSONArray many) {
            many.forEach(name -> names.add(String.valueOf(name)));
        }
        return names;
    }

    static boolean accepts(Set<String> readerTypes, String type) {
        return readerTypes.contains(type) || (type.equals("integer") && readerTypes.contains("number"));
    }

    static String typeOf(Object value) {
        if (value == null || JSONObject.NULL.equals(value)) {
            return "null";
        } else if (value instanceof Boolean) {
            return "boolean";
        } else if (value instanceof Number number) {
            return isIntegral(number) ? "integer" : "number";
        } else if (value instanceof JSONArray) {
            return "array";
        } else if (value instanceof JSONObject) {
            return "object";
        }
        return "string";
    }

    static boolean isIntegral(Number number) {
        try {
            return new BigDecimal(number.toString()).stripTrailingZeros().scale() <= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The allowed values of {@code enum} and/or {@code const}, or null when the values are not enumerated. */
    static List<Object> values(JSONObject schema) {
        List<Object> values = null;
        JSONArray enumeration = schema.optJSONArray("enum");
        if (enumeration != null) {
            values = new ArrayList<>();
            for (int i = 0; i < enumeration.length(); i++) {
                values.add(enumeration.get(i));
            }
        }
        if (schema.has("const")) {
            Object constant = schema.get("const");
            if (values == null) {
                values = new ArrayList<>(List.of(constant));
            } else {
                values.removeIf(value -> !same(value, constant));
            }
        }
        return values;
    }

    static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
        }
        if (a instanceof JSONObject x && b instanceof JSONObject y) {
            return x.similar(y);
        }
        if (a instanceof JSONArray x && b instanceof JSONArray y) {
            return x.similar(y);
        }
        return a.equals(b);
    }

    static BigDecimal number(JSONObject schema, String keyword) {
        Object value = schema.opt(keyword);
        if (value instanceof Number number) {
            try {
                return new BigDecimal(number.toString());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static Set<String> strings(JSONArray array) {
        Set<String> strings = new LinkedHashSet<>();
        if (array != null) {
            array.forEach(item -> strings.add(String.valueOf(item)));
        }
        return strings;
    }

    static String describe(Set<String> types) {
        if (types.containsAll(ALL_TYPES)) {
            return "any type";
        }
        return String.join(" or ", types);
    }

    static String render(List<Object> values) {
        return new JSONArray(values).toString();
    }

    /** Escapes a JSON Pointer reference token (RFC 6901): {@code ~} as {@code ~0}, {@code /} as {@code ~1}. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
