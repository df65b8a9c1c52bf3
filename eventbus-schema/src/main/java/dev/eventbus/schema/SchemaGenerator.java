package dev.eventbus.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.MessageCodec;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.time.temporal.TemporalAmount;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a first JSON Schema (draft-07) for the attributes of a Java event type, so nobody writes one
 * by hand. Properties are found and named by the same Jackson mapper the codec uses
 * ({@link MessageCodec#defaultMapper()}: snake_case, java.time as strings), so the schema matches
 * what is on the wire.
 *
 * <p>Rules (see {@code docs/schemas.md}):
 * <ul>
 *   <li>String and char: {@code string}; byte, short, int, long, BigInteger: {@code integer} (with the
 *       Java range for the fixed-size ones); float, double, BigDecimal: {@code number}; boolean:
 *       {@code boolean}; enums: {@code string} with {@code enum} of the constants as written;</li>
 *   <li>ZonedDateTime: {@code string}, {@code format: date-time}; LocalDate: {@code format: date}; other
 *       java.time values: {@code string} (the codec writes Instant and LocalDateTime in petisco's
 *       {@code 2026-11-22 10:15:30.123456}, and reads that for OffsetDateTime too, and LocalTime has no
 *       date, so the RFC 3339 formats do not fit them); durations as the mapper writes them;
 *       UUID: {@code format: uuid}; URI and URL: {@code format: uri}; byte[]: base64 {@code string};</li>
 *   <li>arrays, Lists and other collections: {@code array} with {@code items} (Sets add
 *       {@code uniqueItems}); Maps: {@code object} with {@code additionalProperties} for the values;</li>
 *   <li>records and other classes: {@code object} with their properties, recursively; a type that
 *       contains itself is written once under {@code definitions} (or is the root, {@code #}) and referred
 *       to with {@code $ref};</li>
 *   <li><b>required</b>: every property, except {@code Optional*} ones and those annotated with an
 *       annotation named {@code Nullable} (any package), which are optional and also allow {@code null};
 *       a non-annotated reference that is null at publish time therefore fails validation, on purpose;</li>
 *   <li>objects are <b>open</b> ({@code additionalProperties} left out): consumers ignore fields they do
 *       not know, and with open objects adding or removing an optional field is FULL compatible.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class SchemaGenerator {

    /** The draft the generated schemas declare. */
    public static final String DRAFT_07 = "http://json-schema.org/draft-07/schema#";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ObjectMapper mapper;

    private SchemaGenerator(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * The schema for a type's attributes, as named by {@link MessageCodec#defaultMapper()}.
     *
     * @return the schema document, pretty-printed, ending with a newline
     * @throws ConfigurationException if the type is not written as a JSON object (a scalar, array or map)
     */
    public static String generate(Class<?> type) {
        return generate(type, MessageCodec.defaultMapper());
    }

    /**
     * The schema for a type's attributes as written by the given mapper (pass the one your codec uses
     * when it is not the default).
     *
     * @throws ConfigurationException if the type is not written as a JSON object (a scalar, array or map)
     */
    public static String generate(Class<?> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mapper, "mapper");
        ObjectNode schema = new SchemaGenerator(mapper).document(type);
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(schema) + "\n";
        } catch (JsonProcessingException e) {
            throw new ConfigurationException("cannot write the schema of " + type.getName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Generation state for one document: the types being expanded and the definitions cycles need. */
    private final class Document {

        private final Class<?> root;
        private final Deque<Class<?>> expanding = new ArrayDeque<>();
        private final Map<Class<?>, String> definitionNames = new LinkedHashMap<>();

        Document(Class<?> root) {
            this.root = root;
        }

        ObjectNode schemaOf(JavaType type) {
            Class<?> raw = type.getRawClass();
            if (type.isTypeOrSubTypeOf(Optional.class) || type.isReferenceType()) {
                return schemaOf(type.containedTypeOrUnknown(0));
            }
            if (raw == OptionalInt.class || raw == OptionalLong.class) {
                return integer(raw == OptionalInt.class ? Integer.MIN_VALUE : Long.MIN_VALUE,
                        raw == OptionalInt.class ? Integer.MAX_VALUE : Long.MAX_VALUE);
            }
            if (raw == OptionalDouble.class) {
                return typed("number");
            }
            ObjectNode scalar = scalar(raw);
            if (scalar != null) {
                return scalar;
            }
            if (raw.isEnum()) {
                ObjectNode schema = typed("string");
                ArrayNode values = schema.putArray("enum");
                for (Object constant : raw.getEnumConstants()) {
                    JsonNode written = mapper.valueToTree(constant);
                    values.add(written);
                }
                return schema;
            }
            if (type.isArrayType() || type.isCollectionLikeType()) {
                ObjectNode schema = typed("array");
                schema.set("items", schemaOf(type.getContentType()));
                if (Set.class.isAssignableFrom(raw)) {
                    schema.put("uniqueItems", true);
                }
                return schema;
            }
            if (type.isMapLikeType()) {
                ObjectNode schema = typed("object");
                JavaType values = type.getContentType();
                if (values != null && values.getRawClass() != Object.class) {
                    schema.set("additionalProperties", schemaOf(values));
                }
                return schema;
            }
            if (raw == Object.class || JsonNode.class.isAssignableFrom(raw) || raw.isInterface()
                    || java.lang.reflect.Modifier.isAbstract(raw.getModifiers()) || raw.getName().startsWith("java.")) {
                return JSON.objectNode(); // any value: the type says nothing about the JSON
            }
            return bean(type);
        }

        private ObjectNode bean(JavaType type) {
            Class<?> raw = type.getRawClass();
            if (expanding.contains(raw)) {
                ObjectNode reference = JSON.objectNode();
                if (raw == root) {
                    reference.put("$ref", "#");
                } else {
                    definitionNames.computeIfAbsent(raw, this::definitionName);
                    reference.put("$ref", "#/definitions/" + definitionNames.get(raw));
                }
                return reference;
            }
            expanding.push(raw);
            try {
                ObjectNode schema = typed("object");
                ObjectNode properties = schema.putObject("properties");
                ArrayNode required = JSON.arrayNode();
                BeanDescription description = mapper.getSerializationConfig().introspect(type);
                for (BeanPropertyDefinition property : description.findProperties()) {
                    if (!property.couldSerialize()) {
                        continue;
                    }
                    JavaType propertyType = property.getPrimaryType();
                    boolean optional = isOptional(propertyType) || isNullable(property);
                    ObjectNode propertySchema = schemaOf(propertyType);
                    properties.set(property.getName(), optional ? allowNull(propertySchema) : propertySchema);
                    if (!optional) {
                        required.add(property.getName());
                    }
                }
                if (!required.isEmpty()) {
                    schema.set("required", required);
                }
                return schema;
            } finally {
                expanding.pop();
            }
        }

        private String definitionName(Class<?> type) {
            String name = type.getSimpleName();
            String candidate = name;
            for (int i = 2; definitionNames.containsValue(candidate); i++) {
                candidate = name + i;
            }
            return candidate;
        }
    }

    private ObjectNode document(Class<?> type) {
        JavaType javaType = mapper.constructType(type);
        Document document = new Document(type);
        ObjectNode body = document.schemaOf(javaType);
        if (!"object".equals(body.path("type").asText()) || !body.has("properties")) {
            throw new ConfigurationException(type.getName() + " is written as " + (body.has("type") ? "JSON " + body.get("type") : "any JSON value")
                    + ", but message attributes are a JSON object: generate the schema of a record or class with fields");
        }
        ObjectNode schema = JSON.objectNode();
        schema.put("$schema", DRAFT_07);
        schema.put("title", type.getSimpleName());
        schema.setAll(body);
        ObjectNode definitions = JSON.objectNode();
        // Expanding a definition can discover further cyclic types, so loop until none is left to write.
        for (int written = 0; written < document.definitionNames.size(); written++) {
            Map.Entry<Class<?>, String> entry = document.definitionNames.entrySet().stream().skip(written).findFirst().orElseThrow();
            definitions.set(entry.getValue(), document.bean(mapper.constructType(entry.getKey())));
        }
        if (!definitions.isEmpty()) {
            schema.set("definitions", definitions);
        }
        return schema;
    }

    private ObjectNode scalar(Class<?> raw) {
        if (raw == String.class || raw == char.class || raw == Character.class || CharSequence.class.isAssignableFrom(raw)) {
            ObjectNode schema = typed("string");
            if (raw == char.class || raw == Character.class) {
                schema.put("minLength", 1).put("maxLength", 1);
            }
            return schema;
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return typed("boolean");
        }
        if (raw == byte.class || raw == Byte.class) {
            return integer(Byte.MIN_VALUE, Byte.MAX_VALUE);
        }
        if (raw == short.class || raw == Short.class) {
            return integer(Short.MIN_VALUE, Short.MAX_VALUE);
        }
        if (raw == int.class || raw == Integer.class) {
            return integer(Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (raw == long.class || raw == Long.class) {
            return integer(Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (raw == BigInteger.class) {
            return typed("integer");
        }
        if (raw == float.class || raw == Float.class || raw == double.class || raw == Double.class
                || raw == BigDecimal.class || raw == Number.class) {
            return typed("number");
        }
        if (raw == byte[].class) {
            return typed("string").put("contentEncoding", "base64");
        }
        if (raw == UUID.class) {
            return typed("string").put("format", "uuid");
        }
        if (raw == URI.class || raw == URL.class) {
            return typed("string").put("format", "uri");
        }
        if (Temporal.class.isAssignableFrom(raw) || TemporalAmount.class.isAssignableFrom(raw) || raw.getName().startsWith("java.time.")) {
            return time(raw);
        }
        return null;
    }

    private ObjectNode time(Class<?> raw) {
        if (raw == Duration.class) {
            // The JavaTimeModule writes durations as decimal seconds unless told otherwise.
            return typed(mapper.isEnabled(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS) ? "number" : "string");
        }
        if (mapper.isEnabled(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)) {
            return JSON.objectNode(); // numbers or arrays of fields, depending on the type: left unconstrained
        }
        ObjectNode schema = typed("string");
        if (raw == ZonedDateTime.class) {
            schema.put("format", "date-time");
        } else if (raw == LocalDate.class) {
            schema.put("format", "date");
        }
        return schema;
    }

    private static ObjectNode typed(String type) {
        ObjectNode schema = JSON.objectNode();
        schema.put("type", type);
        return schema;
    }

    private static ObjectNode integer(long minimum, long maximum) {
        return typed("integer").put("minimum", minimum).put("maximum", maximum);
    }

    private static boolean isOptional(JavaType type) {
        Class<?> raw = type.getRawClass();
        return raw == Optional.class || raw == OptionalInt.class || raw == OptionalLong.class || raw == OptionalDouble.class;
    }

    /** Whether any place the property is declared (field, accessor, constructor parameter, or their types) says Nullable. */
    private static boolean isNullable(BeanPropertyDefinition property) {
        return Stream.of(property.getField(), property.getGetter(), property.getConstructorParameter())
                .filter(Objects::nonNull)
                .map(AnnotatedMember::getAnnotated)
                .filter(Objects::nonNull)
                .anyMatch(SchemaGenerator::saysNullable);
    }

    private static boolean saysNullable(AnnotatedElement element) {
        Stream<Annotation> annotations = Stream.of(element.getAnnotations());
        if (element instanceof Field field) {
            annotations = Stream.concat(annotations, Stream.of(field.getAnnotatedType().getAnnotations()));
        } else if (element instanceof Method method) {
            annotations = Stream.concat(annotations, Stream.of(method.getAnnotatedReturnType().getAnnotations()));
        } else if (element instanceof Parameter parameter) {
            annotations = Stream.concat(annotations, Stream.of(parameter.getAnnotatedType().getAnnotations()));
        }
        return annotations.anyMatch(annotation -> annotation.annotationType().getSimpleName().equals("Nullable"));
    }

    /** The schema also accepting null: {@code type} gains "null", an {@code enum} gains null, a {@code $ref} is wrapped. */
    private static ObjectNode allowNull(ObjectNode schema) {
        if (schema.isEmpty()) {
            return schema;
        }
        if (schema.has("$ref")) {
            ObjectNode either = JSON.objectNode();
            ArrayNode anyOf = either.putArray("anyOf");
            anyOf.add(schema);
            anyOf.add(typed("null"));
            return either;
        }
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual()) {
            ArrayNode types = JSON.arrayNode().add(type.asText()).add("null");
            schema.set("type", types);
        }
        if (schema.get("enum") instanceof ArrayNode values) {
            values.addNull();
        }
        return schema;
    }
}
