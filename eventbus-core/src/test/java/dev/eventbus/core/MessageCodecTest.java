package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class MessageCodecTest {

    record UserCreated(String userId, String name) implements Event { }

    @MessageVersion(2)
    record SendWelcomeMail(String email, int retries, List<String> tags) implements Command { }

    @MessageName("user.created")
    @MessageVersion(2)
    record UserCreatedV2(String userId) { }

    @MessageName("h.t.t.p.request.done")
    record HTTPRequestDone(String url, int status) { }

    record AppointmentBooked(LocalDate day, Instant at, OffsetDateTime confirmedAt, Duration length) { }

    record CacheCleared() { }

    /** Serializable (it has a getter) but not deserializable (no creator Jackson can use). */
    static final class Opaque {
        private final String value;

        Opaque(String value) {
            this.value = value;
        }

        public String getValue() {
            return value;
        }
    }

    /** No properties at all: Jackson refuses to write it. */
    static final class NoProperties {
    }

    private static final String ID = "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MessageCodec codec = new MessageCodec(new MessageRegistry()
            .register(UserCreated.class, SendWelcomeMail.class, HTTPRequestDone.class, AppointmentBooked.class, CacheCleared.class));

    // ---- wire vectors ----

    /** One row of vectors/expected.tsv. */
    record Vector(String file, String name, String typeMessage, String version, String verdict) {
        boolean ok() {
            return verdict.startsWith("ok");
        }
    }

    /**
     * The directory of the petisco wire vectors: the test resource {@code /wire/vectors} of this module
     * ({@code src/test/resources/wire}, whose README says where the facts come from).
     */
    private static Path vectorsDir() {
        URL expected = MessageCodecTest.class.getResource("/wire/vectors/expected.tsv");
        if (expected == null) {
            fail("no /wire/vectors/expected.tsv on the test classpath: it belongs in eventbus-core/src/test/resources/wire/vectors");
        }
        try {
            return Path.of(expected.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot read the wire vectors at " + expected, e);
        }
    }

    private static List<Vector> vectors() throws IOException {
        List<String> lines = Files.readAllLines(vectorsDir().resolve("expected.tsv"), StandardCharsets.UTF_8);
        assertEquals(List.of("file", "name", "type_message", "version", "verdict"), List.of(lines.get(0).split("\t")),
                "header of expected.tsv");
        List<Vector> vectors = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split("\t");
            assertEquals(5, cells.length, () -> "expected 5 tab-separated cells in expected.tsv line: " + line);
            vectors.add(new Vector(cells[0], cells[1], cells[2], cells[3], cells[4]));
        }
        return vectors;
    }

    @Test
    void everyVectorFileIsListedInExpectedTsv() throws IOException {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> listing = Files.list(vectorsDir())) {
            listing.map(p -> p.getFileName().toString()).filter(f -> !f.equals("expected.tsv")).forEach(files::add);
        }
        Set<String> listed = new TreeSet<>(vectors().stream().map(Vector::file).toList());
        assertEquals(files, listed, "vector files vs rows of expected.tsv");
    }

    @TestFactory
    Stream<DynamicTest> everyVectorDecodesAsExpectedTsvSays() throws IOException {
        Path dir = vectorsDir();
        return vectors().stream().map(vector -> DynamicTest.dynamicTest(vector.file() + " -> " + vector.verdict(), () -> {
            byte[] body = Files.readAllBytes(dir.resolve(vector.file()));
            if (vector.ok()) {
                Message<?> message = codec.decode(body);
                assertEquals(vector.name(), message.name(), "name of " + vector.file());
                assertEquals(vector.typeMessage(), message.kind().wireValue(), "type_message of " + vector.file());
                assertEquals(Integer.parseInt(vector.version()), message.version(), "version of " + vector.file());
                Message<Map<String, Object>> untyped = codec.decodeUntyped(body);
                assertEquals(vector.name(), untyped.name(), "untyped name of " + vector.file());
            } else {
                MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> codec.decode(body),
                        () -> vector.file() + " must fail to decode: " + vector.verdict());
                assertEquals(expectedReason(vector.verdict()), error.reason(), () -> "reason for " + vector.file()
                        + " (" + vector.verdict() + "), message: " + error.getMessage());
                String detail = vector.verdict().substring("error: ".length());
                assertTrue(error.getMessage().contains(detail) || expectedReason(vector.verdict()) != MessageDecodingException.Reason.INVALID_FIELD,
                        () -> "expected the message to say '" + detail + "', got: " + error.getMessage());
            }
        }));
    }

    private static MessageDecodingException.Reason expectedReason(String verdict) {
        return switch (verdict) {
            case "error: undecodable body" -> MessageDecodingException.Reason.UNDECODABLE_BODY;
            case "error: no data envelope" -> MessageDecodingException.Reason.NO_DATA_ENVELOPE;
            case "error: version is not an integer" -> MessageDecodingException.Reason.INVALID_FIELD;
            default -> throw new AssertionError("expected.tsv has a verdict this test does not know: " + verdict);
        };
    }

    @Test
    void userCreatedVectorDecodesEveryField() throws IOException {
        Message<?> message = codec.decode(vector("user_created_v1.json"));
        assertEquals("0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d", message.id());
        assertEquals(Instant.parse("2026-11-22T10:15:30.123456Z"), message.occurredOn());
        assertEquals(new UserCreated("4f7d8e2a-1c3b-4a5d-8e9f-0a1b2c3d4e5f", "Alice"), message.payload());
        assertEquals(Map.of("info_id", Map.of("client_id", "acme", "user_id", "4f7d8e2a-1c3b-4a5d-8e9f-0a1b2c3d4e5f")),
                message.meta());
    }

    @Test
    void commandVectorDecodesToTheCommandOfVersionTwo() throws IOException {
        Message<?> message = codec.decode(vector("send_welcome_mail_command.json"));
        assertEquals(MessageKind.COMMAND, message.kind());
        assertEquals(new SendWelcomeMail("alice@example.com", 0, List.of("new", "vip")), message.payload());
        assertEquals(Instant.parse("2026-01-02T03:04:05.000006Z"), message.occurredOn());
    }

    @Test
    void minimalVectorGetsAnIdNowAndEmptyMeta() throws IOException {
        Instant before = Instant.now().minusSeconds(1);
        Message<?> message = codec.decode(vector("minimal_no_meta.json"));
        assertNotNull(UUID.fromString(message.id()));
        assertTrue(!message.occurredOn().isBefore(before), () -> "occurred_on should default to now, was " + message.occurredOn());
        assertEquals(Map.of(), message.meta());
        assertEquals(new UserCreated("u-1", "Bob"), message.payload());
    }

    @Test
    void unknownFieldsAreIgnoredAtEveryLevel() throws IOException {
        Message<?> message = codec.decode(vector("unknown_fields.json"));
        assertEquals(new UserCreated("u-2", "Carol"), message.payload());
        assertEquals(Map.of("trace", "x"), message.meta());
        Message<Map<String, Object>> untyped = codec.decodeUntyped(vector("unknown_fields.json"));
        assertEquals(Map.of("user_id", "u-2", "name", "Carol", "added_later", 42), untyped.payload());
    }

    private static byte[] vector(String file) throws IOException {
        return Files.readAllBytes(vectorsDir().resolve(file));
    }

    // ---- round trips ----

    @Test
    void encodedMessageDecodesEqual() {
        Message<UserCreated> message = Message.of(new UserCreated("u-1", "Alice"))
                .withMeta("correlation_id", "c-1").withMeta("attempt", 2);
        assertEquals(message, codec.decode(codec.encode(message)));
    }

    @Test
    void metaOfStringsAndMetaOfOtherValuesBothRoundTripAsJackson() throws IOException {
        Map<String, Object> strings = new java.util.LinkedHashMap<>();
        strings.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        strings.put("note", "quote \" backslash \\ é \u2028 line");
        Message<UserCreated> flat = Message.of(new UserCreated("u-1", "Alice")).withMeta(strings);
        assertEquals(flat, codec.decode(codec.encode(flat)));
        assertEquals(JSON.valueToTree(strings), JSON.readTree(codec.encode(flat)).get("data").get("meta"),
                "written as Jackson writes the map");

        Message<UserCreated> nested = flat.withMeta("info_id", Map.of("correlation_id", "c-1")).withMeta("attempt", 2);
        Message<?> decoded = codec.decode(codec.encode(nested));
        assertEquals(nested, decoded);
        assertEquals(java.util.Optional.of("c-1"), decoded.correlationId());
    }

    @Test
    void encodesPetiscosEnvelopeWithSnakeCaseAttributes() throws IOException {
        Message<UserCreated> message = new Message<>(ID, "user.created", 1, MessageKind.DOMAIN_EVENT,
                Instant.parse("2026-11-22T10:15:30.123456Z"), new UserCreated("u-1", "Alice"), Map.of("trace", "t"));
        JsonNode data = JSON.readTree(codec.encode(message)).get("data");
        assertEquals(ID, data.get("id").asText());
        assertEquals("user.created", data.get("type").asText());
        assertEquals("domain_event", data.get("type_message").asText());
        assertEquals(1, data.get("version").intValue());
        assertTrue(data.get("version").isInt(), "version must be a JSON integer");
        assertEquals("2026-11-22 10:15:30.123456", data.get("occurred_on").asText());
        assertEquals(JSON.readTree("{\"user_id\":\"u-1\",\"name\":\"Alice\"}"), data.get("attributes"));
        assertEquals(JSON.readTree("{\"trace\":\"t\"}"), data.get("meta"));
    }

    @Test
    void occurredOnIsWrittenInUtcWithSixFractionDigits() {
        assertEquals("2026-11-22 10:15:30.000000", MessageCodec.formatOccurredOn(Instant.parse("2026-11-22T10:15:30Z")));
        assertEquals("2026-11-22 10:15:30.000001", MessageCodec.formatOccurredOn(Instant.parse("2026-11-22T10:15:30.000001999Z")));
        String now = MessageCodec.formatOccurredOn(Instant.now());
        assertTrue(now.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}"), () -> "unexpected format: " + now);
    }

    @Test
    void occurredOnIsReadInPetiscosFormatAndIso8601() {
        Instant expected = Instant.parse("2026-11-22T10:15:30.123456Z");
        assertEquals(expected, MessageCodec.parseOccurredOn("2026-11-22 10:15:30.123456", "user.created"));
        assertEquals(expected, MessageCodec.parseOccurredOn("2026-11-22T10:15:30.123456Z", "user.created"));
        assertEquals(expected, MessageCodec.parseOccurredOn("2026-11-22T11:15:30.123456+01:00", "user.created"));
        assertEquals(Instant.parse("2026-11-22T10:15:30Z"), MessageCodec.parseOccurredOn("2026-11-22 10:15:30", "user.created"));
    }

    @Test
    void commandsRoundTripAsCommands() throws IOException {
        Message<SendWelcomeMail> command = Message.of(new SendWelcomeMail("a@example.com", 1, List.of("x")));
        byte[] body = codec.encode(command);
        assertEquals("command", JSON.readTree(body).get("data").get("type_message").asText());
        assertEquals(2, JSON.readTree(body).get("data").get("version").intValue());
        assertEquals(command, codec.decode(body));
    }

    @Test
    void instantsAreWrittenInPetiscosFormatOtherJavaTimeFieldsAsIsoStringsAndAllRoundTrip() throws IOException {
        AppointmentBooked booked = new AppointmentBooked(LocalDate.of(2026, 11, 22), Instant.parse("2026-11-22T10:15:30.5Z"),
                OffsetDateTime.of(2026, 11, 22, 11, 0, 0, 0, ZoneOffset.ofHours(1)), Duration.ofMinutes(30));
        Message<AppointmentBooked> message = Message.of(booked);
        JsonNode attributes = JSON.readTree(codec.encode(message)).get("data").get("attributes");
        assertEquals("2026-11-22", attributes.get("day").asText());
        assertEquals("2026-11-22 10:15:30.500000", attributes.get("at").asText(), "petisco's %Y-%m-%d %H:%M:%S.%f, in UTC");
        assertEquals("2026-11-22T11:00:00+01:00", attributes.get("confirmed_at").asText());
        assertEquals("PT30M", attributes.get("length").asText());
        assertEquals(message, codec.decode(codec.encode(message)));
    }

    @Test
    void eventWithoutFieldsRoundTrips() throws IOException {
        Message<CacheCleared> message = Message.of(new CacheCleared());
        assertEquals(JSON.readTree("{}"), JSON.readTree(codec.encode(message)).get("data").get("attributes"));
        assertEquals(message, codec.decode(codec.encode(message)));
    }

    @Test
    void attributesAreTheJsonObjectThatIsWritten() {
        ObjectNode attributes = codec.attributes(Message.of(new UserCreated("u-1", "Alice")));
        assertEquals("u-1", attributes.get("user_id").asText());
        assertEquals("Alice", attributes.get("name").asText());
    }

    @Test
    void untypedDecodingGivesTheAttributesAsAMap() {
        byte[] body = codec.encode(Message.of(new SendWelcomeMail("a@example.com", 3, List.of("x", "y"))));
        Message<Map<String, Object>> untyped = new MessageCodec(new MessageRegistry()).decodeUntyped(body);
        assertEquals(Map.of("email", "a@example.com", "retries", 3, "tags", List.of("x", "y")), untyped.payload());
        assertEquals(MessageKind.COMMAND, untyped.kind());
    }

    // ---- errors ----

    @Test
    void payloadThatIsNotAJsonObjectCannotBeEncoded() {
        Message<String> text = new Message<>(ID, "note.taken", 1, MessageKind.DOMAIN_EVENT, Instant.EPOCH, "hello", Map.of());
        MessageEncodingException error = assertThrows(MessageEncodingException.class, () -> codec.attributes(text));
        assertMessageContains(error, "attributes must be a JSON object");
    }

    @Test
    void payloadJacksonCannotWriteFailsWithAnEncodingError() {
        Message<NoProperties> message = new Message<>(ID, "no.properties", 1, MessageKind.DOMAIN_EVENT, Instant.EPOCH,
                new NoProperties(), Map.of());
        MessageEncodingException error = assertThrows(MessageEncodingException.class, () -> codec.encode(message));
        assertMessageContains(error, "no.properties");
    }

    @Test
    void unknownNameIsUnknownType() {
        byte[] body = envelope("{\"type\": \"user.deleted\", \"version\": 1, \"attributes\": {}}");
        MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> codec.decode(body));
        assertEquals(MessageDecodingException.Reason.UNKNOWN_TYPE, error.reason());
        assertMessageContains(error, "user.deleted");
    }

    @Test
    void unknownVersionIsUnknownTypeListingTheRegisteredVersions() {
        byte[] body = envelope("{\"type\": \"user.created\", \"version\": 7, \"attributes\": {}}");
        MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> codec.decode(body));
        assertEquals(MessageDecodingException.Reason.UNKNOWN_TYPE, error.reason());
        assertMessageContains(error, "registered versions of 'user.created': [1]");
    }

    @Test
    void attributesOfTheWrongJsonTypeDoNotMap() {
        byte[] body = envelope("{\"type\": \"send.welcome.mail\", \"type_message\": \"command\", \"version\": 2, "
                + "\"attributes\": {\"email\": \"a@example.com\", \"retries\": \"many\"}}");
        MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> codec.decode(body));
        assertEquals(MessageDecodingException.Reason.ATTRIBUTES_MISMATCH, error.reason());
        assertMessageContains(error, SendWelcomeMail.class.getName());
    }

    @Test
    void typeWithoutAUsableCreatorDoesNotMap() {
        MessageCodec opaqueCodec = new MessageCodec(new MessageRegistry().register(new MessageType<>(Opaque.class, "opaque", 1,
                MessageKind.DOMAIN_EVENT)));
        byte[] body = opaqueCodec.encode(new Message<>(ID, "opaque", 1, MessageKind.DOMAIN_EVENT, Instant.EPOCH,
                new Opaque("v"), Map.of()));
        MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> opaqueCodec.decode(body));
        assertEquals(MessageDecodingException.Reason.ATTRIBUTES_MISMATCH, error.reason());
    }

    @Test
    void envelopeFieldsOfTheWrongJsonTypeAreInvalidFields() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"type\": 5, \"version\": 1}", "data.type is 5");
        cases.put("{\"version\": 1}", "data.type is missing");
        cases.put("{\"type\": \"user.created\"}", "version is missing");
        cases.put("{\"type\": \"user.created\", \"version\": 1.5}", "version is not an integer");
        cases.put("{\"type\": \"user.created\", \"version\": 0}", "version 0 is not positive");
        cases.put("{\"type\": \"user.created\", \"version\": 1, \"type_message\": 3}", "type_message is JSON NUMBER");
        cases.put("{\"type\": \"user.created\", \"version\": 1, \"type_message\": \"event\"}", "'event' is none of");
        cases.put("{\"type\": \"user.created\", \"version\": 1, \"id\": 5}", "id is JSON NUMBER");
        cases.put("{\"type\": \"user.created\", \"version\": 1, \"occurred_on\": \"yesterday\"}", "occurred_on 'yesterday'");
        cases.put("{\"type\": \"user.created\", \"version\": 1, \"occurred_on\": \"2026-11-2210:15:30\"}",
                "occurred_on '2026-11-2210:15:30'");
        cases.put("{\"type\": \"user.created\", \"version\": 1, \"attributes\": []}", "attributes is JSON ARRAY");
        cases.put("{\"type\": \"user.created\", \"version\": 1, \"meta\": \"m\"}", "meta is JSON STRING");
        cases.forEach((data, expected) -> {
            MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> codec.decode(envelope(data)),
                    () -> "expected " + data + " to fail with INVALID_FIELD");
            assertEquals(MessageDecodingException.Reason.INVALID_FIELD, error.reason(), () -> "reason for " + data);
            assertMessageContains(error, expected);
        });
    }

    @Test
    void anIdThatIsNotAUuidIsAnInvalidFieldNamingTheId() {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("\"\"", "id '' is not a UUID");
        ids.put("\"x-1\"", "id 'x-1' is not a UUID");
        ids.put("\"1-1-1-1-1\"", "id '1-1-1-1-1' is not a UUID");
        ids.put("\"0b0c1f1e7a554b5f9a7e3d1c2a4b5c6d\"", "is not a UUID");
        ids.put("\"{0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d}\"", "is not a UUID");
        ids.put("\"" + "9".repeat(5000) + "\"", "(5000 characters) is not a UUID");
        ids.put("5", "id is JSON NUMBER, not a string");
        ids.put("{}", "id is JSON OBJECT, not a string");
        ids.forEach((id, expected) -> {
            byte[] body = envelope("{\"id\": " + id + ", \"type\": \"user.created\", \"version\": 1, \"attributes\": {}}");
            for (var decoding : List.<java.util.function.Function<byte[], Message<?>>>of(codec::decode, codec::decodeUntyped)) {
                MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> decoding.apply(body),
                        () -> "id " + id + " must be refused");
                assertEquals(MessageDecodingException.Reason.INVALID_FIELD, error.reason(), () -> "reason for id " + id);
                assertEquals("id", error.field(), () -> "field for id " + id);
                assertMessageContains(error, expected);
                assertEquals(DeadLetterReason.UNDECODABLE, DeadLetterReason.forFailure(error, true), "dead-lettered at once");
            }
        });
    }

    @Test
    void aMissingOrNullIdGetsANewUuidAsPetiscoDoes() {
        Message<?> message = codec.decode(envelope("{\"id\": null, \"type\": \"user.created\", \"version\": 1, "
                + "\"attributes\": {\"user_id\": \"u\", \"name\": \"n\"}}"));
        assertEquals(4, UUID.fromString(message.id()).version());
        assertThrows(MessageDecodingException.class, () -> codec.decode(envelope("{\"id\": \"\", \"type\": \"user.created\", "
                + "\"version\": 1, \"attributes\": {}}")), "an empty id is not a missing one");
    }

    @Test
    void kindMessageCannotBePublished() {
        Message<UserCreated> untyped = new Message<>(ID, "user.created", 1, MessageKind.MESSAGE, Instant.EPOCH,
                new UserCreated("u-1", "Alice"), Map.of());
        MessageEncodingException error = assertThrows(MessageEncodingException.class, () -> codec.encode(untyped));
        assertMessageContains(error, "message user.created v1 (id " + ID + ") cannot be published: its kind is message");
        assertMessageContains(error, "MessageKind.DOMAIN_EVENT");
        InMemoryEventBus bus = new InMemoryEventBus();
        try {
            bus.start();
            assertThrows(MessageEncodingException.class, () -> bus.publish(untyped), "publish encodes, so it refuses too");
        } finally {
            bus.stop();
        }
    }

    @Test
    void aMessageOfKindMessageFromTheWireStillDecodesIntoItsType() {
        byte[] body = envelope("{\"id\": \"" + ID + "\", \"type\": \"user.created\", \"type_message\": \"message\", "
                + "\"version\": 1, \"attributes\": {\"user_id\": \"u-1\", \"name\": \"A\"}}");
        assertEquals(MessageKind.MESSAGE, codec.decode(body).kind());
        assertThrows(MessageEncodingException.class, () -> codec.encode(codec.decode(body)), "and is not published again as is");
    }

    @Test
    void dataThatIsNotAnObjectIsNoDataEnvelope() {
        MessageDecodingException error = assertThrows(MessageDecodingException.class,
                () -> codec.decode("{\"data\": [1]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(MessageDecodingException.Reason.NO_DATA_ENVELOPE, error.reason());
        MessageDecodingException array = assertThrows(MessageDecodingException.class,
                () -> codec.decode("[1, 2]".getBytes(StandardCharsets.UTF_8)));
        assertEquals(MessageDecodingException.Reason.NO_DATA_ENVELOPE, array.reason());
        assertMessageContains(array, "JSON ARRAY");
    }

    @Test
    void emptyAndBinaryBodiesAreUndecodable() {
        MessageDecodingException empty = assertThrows(MessageDecodingException.class, () -> codec.decode(new byte[0]));
        assertEquals(MessageDecodingException.Reason.UNDECODABLE_BODY, empty.reason());
        MessageDecodingException binary = assertThrows(MessageDecodingException.class,
                () -> codec.decode(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x01}));
        assertEquals(MessageDecodingException.Reason.UNDECODABLE_BODY, binary.reason());
        assertMessageContains(binary, "body is not JSON");
    }

    @Test
    void kindThatDisagreesWithTheRegisteredTypeIsInvalid() {
        byte[] body = envelope("{\"type\": \"user.created\", \"type_message\": \"command\", \"version\": 1, \"attributes\": {}}");
        MessageDecodingException error = assertThrows(MessageDecodingException.class, () -> codec.decode(body));
        assertEquals(MessageDecodingException.Reason.INVALID_FIELD, error.reason());
        assertMessageContains(error, "is registered as domain_event");
    }

    @Test
    void untypedMessageKindIsAcceptedForARegisteredType() {
        byte[] body = envelope("{\"type\": \"user.created\", \"type_message\": \"message\", \"version\": 1, "
                + "\"attributes\": {\"user_id\": \"u-1\", \"name\": \"A\"}}");
        Message<?> message = codec.decode(body);
        assertEquals(MessageKind.MESSAGE, message.kind());
        assertEquals(new UserCreated("u-1", "A"), message.payload());
    }

    @Test
    void missingTypeMessageMeansDomainEvent() {
        Message<?> message = codec.decode(envelope("{\"type\": \"user.created\", \"version\": 1, \"attributes\": {}}"));
        assertEquals(MessageKind.DOMAIN_EVENT, message.kind());
    }

    @Test
    void petiscoAcronymNameDecodesToTheRegisteredClass() {
        byte[] body = envelope("{\"type\": \"h.t.t.p.request.done\", \"version\": 1, "
                + "\"attributes\": {\"url\": \"/users\", \"status\": 201}}");
        Message<?> message = codec.decode(body);
        assertInstanceOf(HTTPRequestDone.class, message.payload());
        assertEquals(new HTTPRequestDone("/users", 201), message.payload());
        assertEquals("h.t.t.p.request.done", message.name(), "the name stays as the wire says");
    }

    @Test
    void oneNameMayHaveSeveralVersionsOfDifferentClasses() {
        MessageRegistry registry = new MessageRegistry().register(UserCreated.class, UserCreatedV2.class);
        assertEquals(Set.of(1, 2), registry.versions("user.created"));
        MessageCodec versioned = new MessageCodec(registry);
        Message<?> v2 = versioned.decode(envelope("{\"type\": \"user.created\", \"version\": 2, \"attributes\": {\"user_id\": \"u\"}}"));
        assertEquals(new UserCreatedV2("u"), v2.payload());
    }

    @Test
    void sameNameAndVersionForTwoClassesIsAConfigurationError() {
        @MessageName("user.created")
        record OtherUserCreated(String id) { }
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> new MessageRegistry().register(UserCreated.class, OtherUserCreated.class));
        assertMessageContains(error, "registered twice");
    }

    private static byte[] envelope(String data) {
        return ("{\"data\": " + data + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static void assertMessageContains(Exception error, String expected) {
        assertTrue(error.getMessage().contains(expected),
                () -> "expected the message to contain <" + expected + "> but was: " + error.getMessage());
    }
}
