package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * petisco writes every datetime with {@code %Y-%m-%d %H:%M:%S.%f} ({@code 2026-12-01 20:02:21.652594}, UTC, no zone) and
 * reads {@code occurred_on} back with exactly that format: such attributes decode into Instant, LocalDateTime and
 * OffsetDateTime fields, and Instant and LocalDateTime fields are written that way.
 */
class PetiscoTimeTest {

    record AppointmentBooked(Instant at, LocalDateTime local, OffsetDateTime offset) implements Event { }

    record Rescheduled(@JsonFormat(pattern = "dd/MM/yyyy HH:mm") LocalDateTime at,
                       @JsonFormat(shape = JsonFormat.Shape.NUMBER) Instant stamp) implements Event { }

    private static final String ID = "3a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MessageCodec codec = new MessageCodec(new MessageRegistry().register(AppointmentBooked.class, Rescheduled.class));

    private static byte[] body(String type, String attributes) {
        return ("{\"data\": {\"id\": \"" + ID + "\", \"type\": \"" + type + "\", \"type_message\": \"domain_event\", \"version\": 1, "
                + "\"occurred_on\": \"2026-12-01 20:02:21.652594\", \"attributes\": " + attributes + ", \"meta\": {}}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private AppointmentBooked decode(String at, String local, String offset) {
        return (AppointmentBooked) codec.decode(body("appointment.booked",
                "{\"at\": " + at + ", \"local\": " + local + ", \"offset\": " + offset + "}")).payload();
    }

    @Test
    void petiscosFormatDecodesIntoInstantLocalDateTimeAndOffsetDateTimeAsUtc() {
        String petisco = "\"2026-12-01 20:02:21.652594\"";
        assertEquals(new AppointmentBooked(Instant.parse("2026-12-01T20:02:21.652594Z"), LocalDateTime.of(2026, 12, 1, 20, 2, 21, 652_594_000),
                OffsetDateTime.of(2026, 12, 1, 20, 2, 21, 652_594_000, ZoneOffset.UTC)), decode(petisco, petisco, petisco));
    }

    /** What a reader meets besides petisco's own format: Python's other writers, ISO-8601 from eventbus before, Jackson. */
    static Stream<Arguments> otherForms() {
        return Stream.of(
                Arguments.of("2026-12-01 20:02:21", "2026-12-01T20:02:21Z"),
                Arguments.of("2026-12-01 20:02:21.5", "2026-12-01T20:02:21.500Z"),
                Arguments.of("2026-12-01T20:02:21.652594", "2026-12-01T20:02:21.652594Z"),
                Arguments.of("2026-12-01T20:02:21.652594123", "2026-12-01T20:02:21.652594123Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherForms")
    void otherFormsWithoutAZoneAreReadAsUtc(String text, String instant) {
        AppointmentBooked booked = decode("\"" + text + "\"", "\"" + text + "\"", "\"" + text + "\"");
        assertEquals(Instant.parse(instant), booked.at());
        assertEquals(LocalDateTime.ofInstant(Instant.parse(instant), ZoneOffset.UTC), booked.local());
        assertEquals(Instant.parse(instant).atOffset(ZoneOffset.UTC), booked.offset());
    }

    @Test
    void aZoneOrOffsetIsHonouredByInstantAndOffsetDateTimeAndRefusedByLocalDateTime() {
        AppointmentBooked booked = decode("\"2026-12-01T21:02:21.652594+01:00\"", "null", "\"2026-12-01 21:02:21.652594+01:00\"");
        assertEquals(Instant.parse("2026-12-01T20:02:21.652594Z"), booked.at());
        assertEquals(OffsetDateTime.of(2026, 12, 1, 21, 2, 21, 652_594_000, ZoneOffset.ofHours(1)), booked.offset());
        assertEquals(Instant.parse("2026-12-01T20:02:21.652594Z"), decode("\"2026-12-01T20:02:21.652594Z\"", "null", "null").at());
        MessageDecodingException error = assertThrows(MessageDecodingException.class,
                () -> decode("null", "\"2026-12-01T20:02:21.652594Z\"", "null"));
        assertEquals("attributes.local", error.field());
        assertTrue(error.getMessage().contains("a LocalDateTime has no zone"), error::getMessage);
    }

    /** Not a time: an impossible one, a date alone, a number, an empty string. */
    static Stream<Arguments> notTimes() {
        return Stream.of(
                Arguments.of("\"2026-02-30 10:00:00.000000\"", "Invalid date 'FEBRUARY 30'"),
                Arguments.of("\"2026-02-29 10:00:00.000000\"", "Invalid date 'February 29' as '2026' is not a leap year"),
                Arguments.of("\"2026-11-22 24:00:00.000000\"", "Invalid value for HourOfDay"),
                Arguments.of("\"2026-11-22 10:60:00.000000\"", "Invalid value for MinuteOfHour"),
                Arguments.of("\"2026-11-22\"", "no space or T between date and time"),
                Arguments.of("\"2026-11-22 10:15\"", "not a time like 2026-11-22 10:15:30.123456"),
                Arguments.of("\"yesterday\"", "not a time like"),
                Arguments.of("1764582141", "got integer 1764582141"),
                Arguments.of("1764582141.652", "got number 1764582141.652"),
                Arguments.of("\"\"", "got string \"\""),
                Arguments.of("[2026, 12, 1]", "got an array"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notTimes")
    void whatIsNotATimeIsAnUndecodableMessageNamingTheField(String value, String expected) {
        for (String field : new String[] {"at", "local", "offset"}) {
            String attributes = "{\"" + field + "\": " + value + "}";
            MessageDecodingException error = assertThrows(MessageDecodingException.class,
                    () -> codec.decode(body("appointment.booked", attributes)), () -> field + " = " + value);
            assertEquals(MessageDecodingException.Reason.ATTRIBUTES_MISMATCH, error.reason());
            assertEquals("attributes." + field, error.field());
            assertTrue(error.getMessage().contains("attributes." + field + ": expected a time like 2026-11-22 10:15:30.123456, got "),
                    error::getMessage);
            assertTrue(error.getMessage().contains(expected), () -> "expected <" + expected + "> in: " + error.getMessage());
        }
    }

    @Test
    void instantAndLocalDateTimeAreWrittenInPetiscosFormatOffsetDateTimeWithItsOffset() throws IOException {
        AppointmentBooked booked = new AppointmentBooked(Instant.parse("2026-12-01T20:02:21.652594Z"),
                LocalDateTime.of(2026, 12, 1, 20, 2, 21, 652_594_000), OffsetDateTime.parse("2026-12-01T21:02:21.652594+01:00"));
        JsonNode attributes = JSON.readTree(codec.encode(Message.of(booked))).get("data").get("attributes");
        assertEquals("2026-12-01 20:02:21.652594", attributes.get("at").asText());
        assertEquals("2026-12-01 20:02:21.652594", attributes.get("local").asText());
        assertEquals("2026-12-01T21:02:21.652594+01:00", attributes.get("offset").asText(),
                "petisco's format has no place for the offset, which is the point of an OffsetDateTime");
        assertEquals(booked, codec.decode(codec.encode(Message.of(booked))).payload(), "round trip");
        assertEquals(attributes, codec.attributes(Message.of(booked)), "what validators see is what is written");
    }

    @Test
    void writtenTimesAreWhatPythonsStrptimeReadsInUtcCutToMicroseconds() throws IOException {
        // petisco reads times with datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f"): exactly 4-2-2 2:2:2.6 digits
        AppointmentBooked booked = new AppointmentBooked(Instant.parse("2026-12-01T21:02:21.652594999+01:00"),
                LocalDateTime.of(2026, 1, 2, 3, 4, 5, 6_999), null);
        JsonNode attributes = JSON.readTree(codec.encode(Message.of(booked))).get("data").get("attributes");
        assertEquals("2026-12-01 20:02:21.652594", attributes.get("at").asText(), "in UTC, below a microsecond cut");
        assertEquals("2026-01-02 03:04:05.000006", attributes.get("local").asText());
        for (String field : new String[] {"at", "local"}) {
            assertTrue(attributes.get(field).asText().matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}"), field);
        }
    }

    @Test
    void yearsPastFourDigitsRoundTrip() {
        AppointmentBooked far = new AppointmentBooked(Instant.parse("+10000-01-01T00:00:00Z"), LocalDateTime.of(999, 1, 1, 0, 0),
                OffsetDateTime.of(10000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
        assertEquals(far, codec.decode(codec.encode(Message.of(far))).payload());
    }

    @Test
    void aFieldWithItsOwnJsonFormatKeepsIt() throws IOException {
        Rescheduled rescheduled = new Rescheduled(LocalDateTime.of(2026, 11, 22, 10, 15), Instant.ofEpochSecond(1_764_582_141));
        JsonNode attributes = JSON.readTree(codec.encode(Message.of(rescheduled))).get("data").get("attributes");
        assertEquals("22/11/2026 10:15", attributes.get("at").asText());
        assertTrue(attributes.get("stamp").isNumber(), () -> "stamp: " + attributes.get("stamp"));
        assertEquals(rescheduled, codec.decode(codec.encode(Message.of(rescheduled))).payload());
    }

    @Test
    void occurredOnIsReadStrictly() {
        MessageDecodingException error = assertThrows(MessageDecodingException.class,
                () -> MessageCodec.parseOccurredOn("2026-02-30 10:15:30.123456", "user.created"));
        assertEquals("occurred_on", error.field());
        assertTrue(error.getMessage().contains("Invalid date 'FEBRUARY 30'"), error::getMessage);
        assertEquals(Instant.parse("+10000-01-01T00:00:00Z"), MessageCodec.parseOccurredOn("+10000-01-01 00:00:00.000000", "x"));
    }
}
