package dev.eventbus.core;

import static java.time.temporal.ChronoField.HOUR_OF_DAY;
import static java.time.temporal.ChronoField.MINUTE_OF_HOUR;
import static java.time.temporal.ChronoField.NANO_OF_SECOND;
import static java.time.temporal.ChronoField.OFFSET_SECONDS;
import static java.time.temporal.ChronoField.SECOND_OF_MINUTE;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.ContextualSerializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import com.fasterxml.jackson.datatype.jsr310.deser.LocalDateTimeDeserializer;
import com.fasterxml.jackson.datatype.jsr310.ser.InstantSerializer;
import com.fasterxml.jackson.datatype.jsr310.ser.LocalDateTimeSerializer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Times on the wire: petisco writes every {@code datetime} (its {@code occurred_on} and its attributes) with
 * {@code %Y-%m-%d %H:%M:%S.%f}, {@code 2026-12-01 20:02:21.652594}: no zone, meant as UTC, and reads
 * {@code occurred_on} back with exactly that format. This class writes that format, reads it and ISO-8601
 * ({@code T} or a space between date and time, 0 to 9 fraction digits, an optional {@code Z} or offset), strictly:
 * no February 30, no hour 24. Its {@link #module()} gives attributes of these types the same formats:
 * <ul>
 *   <li>{@link Instant}: written in petisco's format in UTC (microseconds, the wire's precision); read from either
 *       format, UTC when no zone is given;</li>
 *   <li>{@link LocalDateTime}: written in petisco's format as is (microseconds); read from either format without a
 *       zone (one with a zone is refused: a LocalDateTime has none);</li>
 *   <li>{@link OffsetDateTime}: written as ISO-8601 with its offset ({@code 2026-11-22T11:00:00+01:00}; petisco's format
 *       has no place for the offset, and petisco's models read ISO-8601); read from either format, UTC when no zone
 *       is given.</li>
 * </ul>
 * A field with its own {@code @JsonFormat} pattern or shape keeps Jackson's handling. Stateless and thread-safe.
 */
final class WireTime {

    /** An example of petisco's format, for error messages. */
    static final String EXAMPLE = "2026-11-22 10:15:30.123456";

    /** For years the hand-written formatter does not cover (before 1000, after 9999), as ISO-8601 writes them. */
    private static final DateTimeFormatter WRITE_FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);
    /** ISO-8601 with a {@code T} (a space is read as one); strict: an impossible date or time is an error, not resolved. */
    private static final DateTimeFormatter READ_FORMAT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendValue(HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .toFormatter(Locale.ROOT)
            .withChronology(IsoChronology.INSTANCE)
            .withResolverStyle(ResolverStyle.STRICT);

    private WireTime() {
    }

    /** A time as read: the local date-time and the offset it was given with, or null when it had none. */
    record Parsed(LocalDateTime local, ZoneOffset offset) {
    }

    /** Formats a time in UTC in petisco's format, cut to microseconds. */
    static String format(Instant instant) {
        // not LocalDateTime.ofInstant(instant, UTC): it asks the offset for its ZoneRules, a new object per call
        return format(LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC));
    }

    /** Formats a local time in petisco's format, cut to microseconds. */
    static String format(LocalDateTime time) {
        if (time.getYear() < 1000 || time.getYear() > 9999) {
            return WRITE_FORMAT.format(time);
        }
        // the common case written by hand: DateTimeFormatter costs more than the rest of the envelope's fields
        char[] out = new char[26];
        digits(out, 0, time.getYear(), 4);
        out[4] = '-';
        digits(out, 5, time.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, time.getDayOfMonth(), 2);
        out[10] = ' ';
        digits(out, 11, time.getHour(), 2);
        out[13] = ':';
        digits(out, 14, time.getMinute(), 2);
        out[16] = ':';
        digits(out, 17, time.getSecond(), 2);
        out[19] = '.';
        digits(out, 20, time.getNano() / 1000, 6);
        return new String(out);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * Reads a time in petisco's format or ISO-8601.
     *
     * @throws DateTimeParseException if it is neither, or names an impossible date or time; the message says which
     */
    static Parsed parse(String text) {
        LocalDateTime petisco = parsePetiscoFormat(text);
        if (petisco != null) {
            return new Parsed(petisco, null);
        }
        // the date has 10 characters, more for years past 9999 ("+10000-01-01"); then a space or a T
        int space = text.indexOf(' ');
        int t = text.indexOf('T');
        int separator = space < 0 ? t : t < 0 ? space : Math.min(space, t);
        if (separator < 10) {
            throw new DateTimeParseException("not a time like " + EXAMPLE + " (no space or T between date and time)", text,
                    Math.max(0, separator));
        }
        String iso = text.charAt(separator) == 'T' ? text : text.substring(0, separator) + 'T' + text.substring(separator + 1);
        TemporalAccessor parsed;
        try {
            parsed = READ_FORMAT.parse(iso);
        } catch (DateTimeParseException e) {
            // a resolving error (February 30) has a cause saying what is impossible; a format error has none
            String problem = e.getCause() != null ? e.getCause().getMessage()
                    : "not a time like " + EXAMPLE + " (what is at index " + e.getErrorIndex() + " does not fit)";
            throw new DateTimeParseException(problem, text, e.getErrorIndex(), e);
        }
        return new Parsed(LocalDateTime.from(parsed),
                parsed.isSupported(OFFSET_SECONDS) ? ZoneOffset.ofTotalSeconds(parsed.get(OFFSET_SECONDS)) : null);
    }

    /** Reads a time as an instant: UTC when it has no zone. */
    static Instant parseInstant(String text) {
        return instant(parse(text));
    }

    private static Instant instant(Parsed parsed) {
        return parsed.local().toInstant(parsed.offset() == null ? ZoneOffset.UTC : parsed.offset());
    }

    /**
     * petisco's own {@code yyyy-MM-dd HH:mm:ss.ffffff} (what every eventbus and petisco publisher writes) read by hand,
     * or null for anything else, including out-of-range fields, which the strict parser then rejects with the reason.
     */
    private static LocalDateTime parsePetiscoFormat(String value) {
        if (value.length() != 26 || value.charAt(4) != '-' || value.charAt(7) != '-' || value.charAt(10) != ' '
                || value.charAt(13) != ':' || value.charAt(16) != ':' || value.charAt(19) != '.') {
            return null;
        }
        int year = number(value, 0, 4);
        int month = number(value, 5, 2);
        int day = number(value, 8, 2);
        int hour = number(value, 11, 2);
        int minute = number(value, 14, 2);
        int second = number(value, 17, 2);
        int micros = number(value, 20, 6);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > 28 && day > YearMonth.of(year, month).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || micros < 0) {
            return null;
        }
        return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000);
    }

    /** The decimal number in {@code value[at, at + width)}, or -1 if a character is not an ASCII digit. */
    private static int number(String value, int at, int width) {
        int result = 0;
        for (int i = at; i < at + width; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            result = result * 10 + (c - '0');
        }
        return result;
    }

    /**
     * The Jackson module with these formats for {@link Instant}, {@link LocalDateTime} and {@link OffsetDateTime}
     * attributes; register it after {@code JavaTimeModule}, whose (de)serializers it replaces for those types.
     */
    static SimpleModule module() {
        SimpleModule module = new SimpleModule("eventbus-wire-time");
        module.addSerializer(Instant.class, new TimeSerializer<>(Instant.class, WireTime::format, InstantSerializer.INSTANCE));
        module.addSerializer(LocalDateTime.class, new TimeSerializer<>(LocalDateTime.class, WireTime::format,
                LocalDateTimeSerializer.INSTANCE));
        module.addDeserializer(Instant.class, new TimeDeserializer<>(Instant.class, (parsed, text) -> instant(parsed),
                InstantDeserializer.INSTANT));
        module.addDeserializer(LocalDateTime.class, new TimeDeserializer<>(LocalDateTime.class, (parsed, text) -> {
            if (parsed.offset() != null) {
                throw new DateTimeParseException("a LocalDateTime has no zone, but this time has the offset " + parsed.offset()
                        + "; write it without one (like " + EXAMPLE + ") or make the field an Instant or OffsetDateTime", text, 19);
            }
            return parsed.local();
        }, LocalDateTimeDeserializer.INSTANCE));
        module.addDeserializer(OffsetDateTime.class, new TimeDeserializer<>(OffsetDateTime.class, (parsed, text) ->
                OffsetDateTime.of(parsed.local(), parsed.offset() == null ? ZoneOffset.UTC : parsed.offset()),
                InstantDeserializer.OFFSET_DATE_TIME));
        return module;
    }

    /** Whether a property's {@code @JsonFormat} asks for a pattern or shape of its own, which Jackson's (de)serializers handle. */
    private static boolean ownFormat(JsonFormat.Value format) {
        return format != null && (format.hasPattern()
                || format.hasShape() && format.getShape() != JsonFormat.Shape.ANY && format.getShape() != JsonFormat.Shape.STRING);
    }

    private static final class TimeSerializer<T> extends StdSerializer<T> implements ContextualSerializer {

        private final transient Function<T, String> format;
        private final JsonSerializer<?> jacksons;

        TimeSerializer(Class<T> type, Function<T, String> format, JsonSerializer<?> jacksons) {
            super(type);
            this.format = format;
            this.jacksons = jacksons;
        }

        @Override
        public void serialize(T value, JsonGenerator json, SerializerProvider provider) throws IOException {
            json.writeString(format.apply(value));
        }

        @Override
        public JsonSerializer<?> createContextual(SerializerProvider provider, BeanProperty property) throws JsonMappingException {
            if (property != null && ownFormat(findFormatOverrides(provider, property, handledType()))) {
                return ((ContextualSerializer) jacksons).createContextual(provider, property);
            }
            return this;
        }
    }

    private static final class TimeDeserializer<T> extends StdScalarDeserializer<T> implements ContextualDeserializer {

        private final transient BiFunction<Parsed, String, T> convert;
        private final JsonDeserializer<?> jacksons;

        TimeDeserializer(Class<T> type, BiFunction<Parsed, String, T> convert, JsonDeserializer<?> jacksons) {
            super(type);
            this.convert = convert;
            this.jacksons = jacksons;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser json, DeserializationContext context) throws IOException {
            if (!json.hasToken(JsonToken.VALUE_STRING)) {
                // a number is not a time here, whatever the coercion settings: petisco writes only strings
                return (T) context.handleUnexpectedToken(handledType(), json);
            }
            String text = json.getText();
            if (text.isEmpty()) {
                // the mapper's coercion settings decide: a failure (strict) or null (lenient)
                _checkFromStringCoercion(context, text);
                return null;
            }
            try {
                return convert.apply(parse(text), text);
            } catch (DateTimeException e) {
                InvalidFormatException failure = InvalidFormatException.from(json, e.getMessage(), text, handledType());
                failure.initCause(e);
                throw failure;
            }
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.DateTime;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext context, BeanProperty property) throws JsonMappingException {
            if (property != null && ownFormat(findFormatOverrides(context, property, handledType()))) {
                return ((ContextualDeserializer) jacksons).createContextual(context, property);
            }
            return this;
        }
    }
}
