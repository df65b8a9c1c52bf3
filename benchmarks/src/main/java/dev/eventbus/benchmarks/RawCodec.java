package dev.eventbus.benchmarks;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.eventbus.core.MessageValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

/**
 * What a user of the raw amqp-client writes to speak petisco's envelope: plain Jackson data binding of two records,
 * no registry, no name derivation. The raw side of every benchmark encodes and decodes with it, so both sides carry
 * the same bytes. Thread-safe.
 */
final class RawCodec {

    static final String NAME = "order.placed";
    static final int VERSION = 1;
    private static final DateTimeFormatter OCCURRED_ON = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /** petisco's envelope {@code {"data": {...}}}. */
    record Envelope(Data data) {
    }

    /** The fields inside {@code data}, snake_case on the wire. */
    record Data(String id, String type, String typeMessage, int version, String occurredOn, OrderPlaced attributes,
                Map<String, Object> meta) {
    }

    private final ObjectMapper mapper = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private final MessageValidator validator;

    /** A codec that validates with {@code validator} on encode and decode ({@link MessageValidator#NONE}: not at all). */
    RawCodec(MessageValidator validator) {
        this.validator = validator;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** A new envelope for the event: a random id and now, as the library does. */
    static Envelope envelope(OrderPlaced event) {
        String occurredOn = OCCURRED_ON.format(LocalDateTime.ofInstant(Instant.now().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
        return new Envelope(new Data(UUID.randomUUID().toString(), NAME, "domain_event", VERSION, occurredOn, event, Map.of()));
    }

    /** The JSON body of the envelope, validated first when a validator is set. */
    byte[] encode(Envelope envelope) {
        try {
            if (validator != MessageValidator.NONE) {
                validator.validate(NAME, VERSION, mapper.valueToTree(envelope.data().attributes()));
            }
            return mapper.writeValueAsBytes(envelope);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark event", e);
        }
    }

    /** The event in a body; with a validator, read as a tree, validated, then bound (what the library does too). */
    OrderPlaced decode(byte[] body) {
        try {
            if (validator == MessageValidator.NONE) {
                return mapper.readValue(body, Envelope.class).data().attributes();
            }
            JsonNode root = mapper.readTree(body);
            JsonNode data = root.get("data");
            validator.validate(data.get("type").asText(), data.get("version").asInt(), data.get("attributes"));
            return mapper.treeToValue(data.get("attributes"), OrderPlaced.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a benchmark event", e);
        }
    }
}
