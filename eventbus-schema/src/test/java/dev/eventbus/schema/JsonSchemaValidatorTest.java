package dev.eventbus.schema;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JsonSchemaValidatorTest {

    private static final ObjectMapper MAPPER = MessageCodec.defaultMapper();
    private static final String VALID = """
            {"user_id": "6f1c2a7e-8d3b-4c1a-9e2f-0a1b2c3d4e5f", "email": "ada@example.com", "age": 36, "status": "ACTIVE",
             "address": {"street": "Main St 1", "zip": "12345"}, "tags": ["a", "b"]}""";

    private final JsonSchemaValidator validator = JsonSchemaValidator.fromClasspath();

    @Test
    void acceptsAttributesThatMatchTheSchema() {
        assertDoesNotThrow(() -> validator.validate("user.created", 1, tree(VALID)));
    }

    @Test
    void toleratesUnknownFieldsInAnOpenSchema() {
        ObjectNode attributes = tree(VALID);
        attributes.put("added_later", 42);

        assertDoesNotThrow(() -> validator.validate("user.created", 1, attributes));
    }

    @Test
    void reportsAWrongTypeWithItsPointer() {
        ObjectNode attributes = tree(VALID);
        attributes.put("age", "thirty");

        assertViolations(attributes, "user.created", 1, List.of("#/age: expected type: Integer, found: String"));
    }

    @Test
    void reportsAMissingRequiredField() {
        ObjectNode attributes = tree(VALID);
        attributes.remove("email");

        assertViolations(attributes, "user.created", 1, List.of("#: required key [email] not found"));
    }

    @Test
    void reportsAValueOutsideTheEnum() {
        ObjectNode attributes = tree(VALID);
        attributes.put("status", "DELETED");

        assertViolations(attributes, "user.created", 1, List.of("#/status: DELETED is not a valid enum value"));
    }

    @Test
    void reportsAStringThatIsNotAUuid() {
        ObjectNode attributes = tree(VALID);
        attributes.put("user_id", "not-a-uuid");

        assertViolations(attributes, "user.created", 1, List.of("#/user_id: [not-a-uuid] is not a valid uuid"));
    }

    @Test
    void reportsNestedAndArrayViolationsWithTheirFullPointers() {
        ObjectNode attributes = tree(VALID);
        ((ObjectNode) attributes.get("address")).put("zip", "ABC");
        attributes.putArray("tags").add("ok").add(7);

        assertViolations(attributes, "user.created", 1, List.of(
                "#/address/zip: string [ABC] does not match pattern ^[0-9]{5}$",
                "#/tags/1: expected type: String, found: Integer"));
    }

    @Test
    void reportsAFieldAClosedSchemaDoesNotDeclare() {
        ObjectNode attributes = tree("{\"order_id\": \"o-1\", \"total\": 9.5, \"coupon\": \"X\"}");

        assertViolations(attributes, "order.placed", 1, List.of("#: extraneous key [coupon] is not permitted"));
    }

    @Test
    void listsEveryViolationAtOnce() {
        ObjectNode attributes = tree("{\"user_id\": 5, \"age\": -1, \"status\": \"GONE\"}");

        InvalidMessageException failure = assertThrows(InvalidMessageException.class,
                () -> validator.validate("user.created", 1, attributes));

        assertEquals(4, failure.violations().size(), () -> "expected 4 violations, got " + failure.violations());
        assertTrue(failure.getMessage().startsWith("message user.created v1 is invalid (4 violations)"),
                () -> "expected a summary line, got " + failure.getMessage());
    }

    @Test
    void keepsIntegersAndDecimalsApartWhenConverting() {
        ObjectNode attributes = tree(VALID);
        attributes.put("age", 36.5);

        assertViolations(attributes, "user.created", 1, List.of("#/age: expected type: Integer, found: Double"));
        attributes.put("age", 36L);
        assertDoesNotThrow(() -> validator.validate("user.created", 1, attributes), "a long is an integer");
        attributes.put("age", new java.math.BigInteger("36"));
        assertDoesNotThrow(() -> validator.validate("user.created", 1, attributes), "a BigInteger is an integer");
    }

    @Test
    void rejectsAMessageWithoutSchemaByDefaultAndSaysWhereTheSchemaGoes() {
        InvalidMessageException failure = assertThrows(InvalidMessageException.class,
                () -> validator.validate("user.deleted", 1, tree("{}")));

        assertEquals(1, failure.violations().size(), () -> "expected one violation, got " + failure.violations());
        String violation = failure.violations().get(0);
        assertTrue(violation.startsWith("#: no JSON Schema exists for user.deleted v1"), () -> "got " + violation);
        assertTrue(violation.contains("eventbus/schemas/user.deleted/1.json"), () -> "expected the path to add, got " + violation);
        assertEquals(MissingSchemaPolicy.REJECT, validator.missingSchemaPolicy());
    }

    @Test
    void allowsAMessageWithoutSchemaAndWarnsOncePerNameAndVersion() {
        JsonSchemaValidator lenient = JsonSchemaValidator.builder()
                .registry(SchemaRegistry.fromClasspath())
                .missingSchema(MissingSchemaPolicy.ALLOW_AND_LOG_ONCE)
                .build();
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 5; i++) {
                lenient.validate("user.deleted", 1, tree("{\"anything\": " + i + "}"));
                lenient.validate("user.deleted", 2, tree("{}"));
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);

        assertEquals(1, count(log, "no JSON Schema for user.deleted v1 "), () -> "expected one warning for v1, got:\n" + log);
        assertEquals(1, count(log, "no JSON Schema for user.deleted v2 "), () -> "expected one warning for v2, got:\n" + log);
        assertTrue(log.contains("WARN"), () -> "expected WARN level, got:\n" + log);
    }

    @Test
    void validatesManyMessagesWithoutReadingAnySchemaAgain() {
        CountingClassLoader loader = new CountingClassLoader(getClass().getClassLoader());
        SchemaRegistry registry = SchemaRegistry.fromClasspath(loader, "eventbus/schemas");
        int readsWhenLoaded = loader.reads.get();
        JsonSchemaValidator cached = JsonSchemaValidator.builder().registry(registry).build();
        MessageSchema first = registry.find("user.created", 1).orElseThrow();

        ObjectNode attributes = tree(VALID);
        for (int i = 0; i < 2_000; i++) {
            attributes.put("age", i);
            cached.validate("user.created", 1, attributes);
        }

        assertTrue(readsWhenLoaded > 0, "the registry should have read the classpath once");
        assertEquals(readsWhenLoaded, loader.reads.get(), "validating must not read resources again");
        assertSame(first, registry.find("user.created", 1).orElseThrow(), "the compiled schema is cached, not rebuilt");
    }

    @Test
    void validatesFromManyThreadsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    int rejected = 0;
                    for (int i = 0; i < 500; i++) {
                        ObjectNode attributes = tree(VALID);
                        if (i % 2 == 0) {
                            attributes.put("age", "bad");
                        }
                        try {
                            validator.validate("user.created", 1, attributes);
                        } catch (InvalidMessageException e) {
                            rejected++;
                        }
                    }
                    return rejected;
                }));
            }
            for (Future<Integer> result : results) {
                assertEquals(250, result.get(30, TimeUnit.SECONDS), "every other message is invalid");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertViolations(JsonNode attributes, String name, int version, List<String> expected) {
        InvalidMessageException failure = assertThrows(InvalidMessageException.class, () -> validator.validate(name, version, attributes));
        assertEquals(expected, failure.violations(), "violations");
        assertEquals(name, failure.messageName());
        assertEquals(version, failure.messageVersion());
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }

    static ObjectNode tree(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** Counts every resource lookup, to prove validation does not go back to the classpath. */
    private static final class CountingClassLoader extends ClassLoader {

        final AtomicInteger reads = new AtomicInteger();

        CountingClassLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        public URL getResource(String name) {
            reads.incrementAndGet();
            return super.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            reads.incrementAndGet();
            return super.getResources(name);
        }

        @Override
        public java.io.InputStream getResourceAsStream(String name) {
            reads.incrementAndGet();
            return super.getResourceAsStream(name);
        }
    }
}
