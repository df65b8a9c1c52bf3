package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Typed decoding is the contract of a typed event: attributes that do not match the record are an undecodable
 * message, never coerced into something the sender did not say. The envelope's own fields are strict for untyped
 * decoding as well.
 */
class StrictDecodingTest {

    enum Color { RED, GREEN }

    record Line(double price, int quantity) { }

    record Counted(int seq, String label, boolean done, long total, Color color, List<Line> lines, LocalDate day, Integer optional,
                   double ratio) implements Event { }

    private static final String ID = "7c4b2a1e-3d5f-4a6b-8c9d-0e1f2a3b4c5d";
    /** Every field valid; each case replaces one. */
    private static final Map<String, String> VALID = Map.of("seq", "1", "label", "\"a\"", "done", "true", "total", "2",
            "color", "\"RED\"", "lines", "[{\"price\": 1.5, \"quantity\": 1}]", "day", "\"2026-11-22\"", "optional", "3", "ratio", "0.5");

    private final MessageCodec codec = new MessageCodec(new MessageRegistry().register(Counted.class));

    private static byte[] body(Map<String, String> attributes) {
        StringBuilder json = new StringBuilder("{");
        attributes.forEach((name, value) -> json.append(json.length() > 1 ? ", " : "").append('"').append(name).append("\": ").append(value));
        return ("{\"data\": {\"id\": \"" + ID + "\", \"type\": \"counted\", \"type_message\": \"domain_event\", \"version\": 1, "
                + "\"occurred_on\": \"2026-11-22 10:15:30.123456\", \"attributes\": " + json.append('}') + ", \"meta\": {}}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The valid attributes with one field replaced (or removed, for a null value). */
    private static byte[] with(String field, String value) {
        Map<String, String> attributes = new LinkedHashMap<>(VALID);
        if (value == null) {
            attributes.remove(field);
        } else {
            attributes.put(field, value);
        }
        return body(attributes);
    }

    /** field, JSON value (null: the field is left out), what the error must say. */
    static Stream<Arguments> mismatches() {
        return Stream.of(
                Arguments.of("seq", "\"1\"", "attributes.seq: expected an integer, got string \"1\""),
                Arguments.of("seq", "1.5", "attributes.seq: expected an integer, got number 1.5"),
                Arguments.of("seq", "1.0", "attributes.seq: expected an integer, got number 1.0"),
                Arguments.of("seq", "null", "attributes.seq: expected an integer, got null"),
                Arguments.of("seq", "\"\"", "attributes.seq: expected an integer, got string \"\""),
                Arguments.of("seq", null, "attributes.seq: expected an integer, got nothing (attributes.seq is missing)"),
                Arguments.of("seq", "true", "attributes.seq: expected an integer, got boolean true"),
                Arguments.of("seq", "[1]", "attributes.seq: expected an integer, got an array"),
                Arguments.of("seq", "{\"value\": 1}", "attributes.seq: expected an integer, got an object"),
                Arguments.of("seq", "99999999999",
                        "attributes.seq: expected an integer in the range of int (-2147483648 to 2147483647), got integer 99999999999"),
                Arguments.of("total", "1e3", "attributes.total: expected an integer, got number 1000.0"),
                Arguments.of("total", "\"2\"", "attributes.total: expected an integer, got string \"2\""),
                Arguments.of("label", "5", "attributes.label: expected a string, got integer 5"),
                Arguments.of("label", "1.5", "attributes.label: expected a string, got number 1.5"),
                Arguments.of("label", "false", "attributes.label: expected a string, got boolean false"),
                Arguments.of("label", "{}", "attributes.label: expected a string, got an object"),
                Arguments.of("done", "1", "attributes.done: expected a boolean (true or false), got integer 1"),
                Arguments.of("done", "\"true\"", "attributes.done: expected a boolean (true or false), got string \"true\""),
                Arguments.of("done", "null", "attributes.done: expected a boolean (true or false), got null"),
                Arguments.of("color", "0", "attributes.color: expected one of [RED, GREEN], got integer 0"),
                Arguments.of("color", "\"BLUE\"", "attributes.color: expected one of [RED, GREEN], got string \"BLUE\""),
                Arguments.of("color", "\"\"", "attributes.color: expected one of [RED, GREEN], got string \"\""),
                Arguments.of("lines", "[{\"price\": 1, \"quantity\": 1}, {\"price\": \"2\", \"quantity\": 1}]",
                        "attributes.lines[1].price: expected a number, got string \"2\""),
                Arguments.of("lines", "[{\"price\": 1, \"quantity\": 1.5}]", "attributes.lines[0].quantity: expected an integer, got number 1.5"),
                Arguments.of("lines", "\"\"", "attributes.lines: expected an array, got string \"\""),
                Arguments.of("lines", "{}", "attributes.lines: expected an array, got an object"),
                Arguments.of("day", "\"2026-02-30\"",
                        "attributes.day: expected a date like 2026-11-22, got string \"2026-02-30\" (Text '2026-02-30' could not be parsed: "
                                + "Invalid date 'FEBRUARY 30')"),
                Arguments.of("day", "\"\"", "attributes.day: expected a date like 2026-11-22, got string \"\""),
                Arguments.of("day", "20000", "attributes.day: expected a date like 2026-11-22, got integer 20000"),
                Arguments.of("optional", "\"3\"", "attributes.optional: expected an integer, got string \"3\""),
                Arguments.of("optional", "\"\"", "attributes.optional: expected an integer, got string \"\""),
                Arguments.of("ratio", "\"0.5\"", "attributes.ratio: expected a number, got string \"0.5\""),
                Arguments.of("label", "\"" + "x".repeat(5000) + "\"", null));
    }

    @ParameterizedTest(name = "[{index}] {0} = {1}")
    @MethodSource("mismatches")
    void attributesThatDoNotMatchTheRecordAreAnUndecodableMessageNamingTheField(String field, String value, String expected) {
        if (expected == null) {
            // a long string is a string: this row only checks that a valid one is not refused for its length
            assertEquals("x".repeat(5000), ((Counted) codec.decode(with(field, value)).payload()).label());
            return;
        }
        MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> codec.decode(with(field, value)),
                () -> field + " = " + value + " must not be coerced");
        assertEquals(MessageDecodingException.Reason.ATTRIBUTES_MISMATCH, error.reason(), error::getMessage);
        assertTrue(error.getMessage().contains(expected), () -> "expected <" + expected + "> in: " + error.getMessage());
        assertTrue(error.getMessage().startsWith("attributes of event counted v1 (id " + ID + ") do not map onto "
                + Counted.class.getName() + ": "), error::getMessage);
        assertEquals(expected.substring(0, expected.indexOf(':')), error.field(), "field()");
        assertEquals(DeadLetterReason.UNDECODABLE, DeadLetterReason.forFailure(error, true),
                "dead-lettered at once, never retried, even with retries left");
    }

    @Test
    void validAttributesDecodeAbsentOrNullReferenceFieldsAreNullAndNumbersWidenWithoutLoss() {
        assertEquals(new Counted(1, "a", true, 2, Color.RED, List.of(new Line(1.5, 1)), LocalDate.of(2026, 11, 22), 3, 0.5),
                codec.decode(body(VALID)).payload());
        Map<String, String> attributes = new HashMap<>(VALID);
        attributes.remove("optional");
        attributes.put("label", "null");
        attributes.put("ratio", "2");
        attributes.put("added_later", "{\"anything\": [1, \"x\"]}");
        Counted counted = (Counted) codec.decode(body(attributes)).payload();
        assertNull(counted.optional(), "a missing Integer is null");
        assertNull(counted.label(), "a null String is null");
        assertEquals(2.0, counted.ratio(), "an integer is a number");
        // but a string for an int is not an absent int
        assertThrows(MessageDecodingException.class, () -> codec.decode(with("seq", "\"1\"")));
    }

    record Legacy(java.util.Date at) implements Event { }

    @Test
    void anImpossibleDateIsRefusedForTheOldDateTypesToo() {
        MessageCodec legacy = new MessageCodec(new MessageRegistry().register(Legacy.class));
        byte[] body = ("{\"data\": {\"type\": \"legacy\", \"version\": 1, \"attributes\": {\"at\": \"2026-02-30T10:00:00.000Z\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> legacy.decode(body),
                "a lenient java.util.Date reads February 30 as March 2");
        assertEquals("attributes.at", error.field());
        byte[] valid = ("{\"data\": {\"type\": \"legacy\", \"version\": 1, \"attributes\": {\"at\": \"2026-02-28T10:00:00.000Z\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(Instant.parse("2026-02-28T10:00:00Z"), ((Legacy) legacy.decode(valid).payload()).at().toInstant());
    }

    @Test
    void aDuplicateKeyInTheAttributesIsRefusedNamingIt() {
        byte[] body = ("{\"data\": {\"id\": \"" + ID + "\", \"type\": \"counted\", \"version\": 1, \"attributes\": "
                + "{\"seq\": 1, \"lines\": [{\"price\": 1, \"price\": 2, \"quantity\": 1}], \"seq\": 2}}}").getBytes(StandardCharsets.UTF_8);
        MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> codec.decode(body));
        assertEquals(MessageDecodingException.Reason.UNDECODABLE_BODY, error.reason());
        assertEquals("attributes.lines[0].price", error.field());
        assertTrue(error.getMessage().contains("the key 'price' twice at data.attributes.lines[0].price"), error::getMessage);
        assertThrows(MessageDecodingException.class, () -> codec.decodeUntyped(body), "ambiguous for the store too");
    }

    // ---- the envelope's own fields, typed and untyped ----

    /** data object, field at fault, what the error must say. */
    static Stream<Arguments> invalidEnvelopes() {
        String rest = ", \"attributes\": {}";
        return Stream.of(
                Arguments.of("{\"type\": \"counted\", \"version\": \"1\"" + rest + "}", "version", "version is not an integer: \"1\""),
                Arguments.of("{\"type\": \"counted\", \"version\": 1.0" + rest + "}", "version", "version is not an integer: 1.0"),
                Arguments.of("{\"type\": \"counted\", \"version\": true" + rest + "}", "version", "version is not an integer: true"),
                Arguments.of("{\"type\": \"counted\", \"version\": 2147483648" + rest + "}", "version", "version is not an integer"),
                Arguments.of("{\"type\": \"counted\", \"version\": -1" + rest + "}", "version", "version -1 is not positive"),
                Arguments.of("{\"type\": \"\", \"version\": 1" + rest + "}", "type", "data.type is \"\""),
                Arguments.of("{\"type\": [\"counted\"], \"version\": 1" + rest + "}", "type", "data.type is [\"counted\"]"),
                Arguments.of("{\"type\": {}, \"version\": 1" + rest + "}", "type", "data.type is {}"),
                Arguments.of("{\"type\": \"counted\", \"version\": 1, \"type_message\": \"Domain_Event\"" + rest + "}", "type_message",
                        "'Domain_Event' is none of"),
                Arguments.of("{\"type\": \"counted\", \"version\": 1, \"type_message\": true" + rest + "}", "type_message",
                        "type_message is JSON BOOLEAN"),
                Arguments.of("{\"id\": \"\", \"type\": \"counted\", \"version\": 1" + rest + "}", "id", "id '' is not a UUID"),
                Arguments.of("{\"id\": 1, \"type\": \"counted\", \"version\": 1" + rest + "}", "id", "id is JSON NUMBER"),
                Arguments.of("{\"type\": \"counted\", \"version\": 1, \"occurred_on\": 1764000000" + rest + "}", "occurred_on",
                        "occurred_on is JSON NUMBER"),
                Arguments.of("{\"type\": \"counted\", \"version\": 1, \"occurred_on\": \"\"" + rest + "}", "occurred_on",
                        "occurred_on '' is not a time"),
                Arguments.of("{\"type\": \"counted\", \"version\": 1, \"occurred_on\": \"2026-02-30 10:00:00.000000\"" + rest + "}",
                        "occurred_on", "occurred_on '2026-02-30 10:00:00.000000' is not a time like 2026-11-22 10:15:30.123456 (UTC): "
                                + "Invalid date 'FEBRUARY 30'"),
                Arguments.of("{\"type\": \"counted\", \"version\": 1, \"occurred_on\": \"2026-11-22 24:00:00.000000\"" + rest + "}",
                        "occurred_on", "Invalid value for HourOfDay"),
                Arguments.of("{\"type\": \"counted\", \"version\": 1, \"occurred_on\": \"2026-11-22\"" + rest + "}", "occurred_on",
                        "occurred_on '2026-11-22' is not a time"),
                Arguments.of("{\"type\": \"counted\", \"version\": 1, \"attributes\": \"{}\"}", "attributes", "attributes is JSON STRING"),
                Arguments.of("{\"type\": \"counted\", \"version\": 1, \"meta\": []" + rest + "}", "meta", "meta is JSON ARRAY"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidEnvelopes")
    void anInvalidEnvelopeFieldIsAnInvalidFieldTypedOrNot(String data, String field, String expected) {
        byte[] body = ("{\"data\": " + data + "}").getBytes(StandardCharsets.UTF_8);
        for (Function<byte[], Message<?>> decoding : List.<Function<byte[], Message<?>>>of(codec::decode, codec::decodeUntyped)) {
            MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> decoding.apply(body), data);
            assertEquals(MessageDecodingException.Reason.INVALID_FIELD, error.reason(), error::getMessage);
            assertEquals(field, error.field(), error::getMessage);
            assertTrue(error.getMessage().contains(expected), () -> "expected <" + expected + "> in: " + error.getMessage());
        }
    }

    @Test
    void aDuplicateEnvelopeKeyOrDataAfterTheBodyIsUndecodableTypedOrNot() {
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("{\"data\": {\"id\": \"" + ID + "\", \"id\": \"" + ID.replace('7', '8') + "\", \"type\": \"counted\", \"version\": 1}}",
                "the key 'id' twice at data.id");
        bodies.put("{\"data\": {\"type\": \"counted\", \"version\": 1}, \"data\": {\"type\": \"other\", \"version\": 1}}",
                "the key 'data' twice at data:");
        bodies.put("{\"data\": {\"type\": \"counted\", \"version\": 1, \"meta\": {\"k\": 1, \"k\": 2}}}", "the key 'k' twice at data.meta.k");
        bodies.put("{\"data\": {\"type\": \"counted\", \"version\": 1}} {\"data\": {}}", "body is not JSON (Trailing token");
        bodies.put("{\"data\": {\"type\": \"counted\", \"version\": 1}} x", "body is not JSON");
        bodies.forEach((json, expected) -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            for (Function<byte[], Message<?>> decoding : List.<Function<byte[], Message<?>>>of(codec::decode, codec::decodeUntyped)) {
                MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> decoding.apply(body), json);
                assertEquals(MessageDecodingException.Reason.UNDECODABLE_BODY, error.reason(), error::getMessage);
                assertTrue(error.getMessage().contains(expected), () -> "expected <" + expected + "> in: " + error.getMessage());
            }
        });
    }

    @Test
    void untypedDecodingTakesAttributesAsTheyAre() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("seq", "\"1\"");
        attributes.put("ratio", "1.5");
        attributes.put("label", "null");
        attributes.put("day", "\"2026-02-30\"");
        attributes.put("empty", "\"\"");
        Map<String, Object> expected = new HashMap<>();
        expected.put("seq", "1");
        expected.put("ratio", 1.5);
        expected.put("label", null);
        expected.put("day", "2026-02-30");
        expected.put("empty", "");
        assertEquals(expected, codec.decodeUntyped(body(attributes)).payload());
        byte[] coercible = with("seq", "\"1\"");
        assertEquals("1", codec.decodeUntyped(coercible).payload().get("seq"), "untyped: as it is");
        assertThrows(MessageDecodingException.class, () -> codec.decode(coercible), "typed: refused, the same body");
    }

    // ---- leniency only when asked for ----

    @Test
    void theLenientMapperCoercesAsJacksonDoesWhenAskedFor() {
        MessageCodec lenient = new MessageCodec(new MessageRegistry().register(Counted.class), MessageCodec.lenientMapper());
        Map<String, String> attributes = new LinkedHashMap<>(VALID);
        attributes.put("seq", "\"7\"");
        attributes.put("label", "5");
        attributes.put("total", "1.9");
        attributes.put("done", "null");
        Counted counted = (Counted) lenient.decode(body(attributes)).payload();
        assertEquals(7, counted.seq());
        assertEquals("5", counted.label());
        assertEquals(1, counted.total());
        assertEquals(false, counted.done());
        byte[] duplicate = ("{\"data\": {\"type\": \"counted\", \"version\": 1, \"attributes\": {\"seq\": 1, \"seq\": 2}}}")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(2, ((Counted) lenient.decode(duplicate).payload()).seq(), "the last value of a duplicate key");
        assertThrows(MessageDecodingException.class, () -> lenient.decode(with("day", "\"2026-02-30\"")),
                "an impossible date is never a date");
        byte[] versionAsString = "{\"data\": {\"type\": \"counted\", \"version\": \"1\", \"attributes\": {}}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(MessageDecodingException.class, () -> lenient.decode(versionAsString), "the envelope stays strict");
        assertThrows(MessageDecodingException.class, () -> codec.decode(body(attributes)), "the default codec stays strict");
    }

    @Test
    void theDefaultMapperBuilderKeepsTheRulesWhenModulesAreAdded() {
        MessageCodec extended = new MessageCodec(new MessageRegistry().register(Counted.class),
                MessageCodec.defaultMapperBuilder().addModule(new com.fasterxml.jackson.databind.module.SimpleModule("extra")).build());
        MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> extended.decode(with("seq", "\"1\"")));
        assertEquals("attributes.seq", error.field());
        assertEquals("2026-11-22 10:15:30.000000", MessageCodec.defaultMapperBuilder().build()
                .convertValue(Instant.parse("2026-11-22T10:15:30Z"), String.class), "and petisco's time format");
    }
}
