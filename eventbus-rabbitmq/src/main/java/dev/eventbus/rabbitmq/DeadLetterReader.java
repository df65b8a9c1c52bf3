package dev.eventbus.rabbitmq;

import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads a message of a dead-letter queue as a {@link DeadLetter}, whoever wrote it: eventbus (its own headers), a
 * petisco consumer (only {@code queue} and {@code redelivery_count}: it dead-letters after its last retry and records no
 * reason or time), or the broker (an {@code x-death} entry of the handler queue itself: its TTL expired, a consumer
 * rejected it, or a quorum queue's delivery limit). Stateless.
 *
 * <p>The letter's tag is a digest of its body and headers (but {@code x-delivery-count}, which a quorum queue raises on
 * every read): the same on every read, and different for two dead-letterings of one message, whose headers differ
 * (time, attempts, {@code x-death} count).
 */
final class DeadLetterReader {

    /** Raised by a quorum dead-letter queue each time a letter is read and put back: not part of the letter. */
    static final String DELIVERY_COUNT = "x-delivery-count";

    private DeadLetterReader() {
    }

    static DeadLetter read(GetResponse response, String handlerQueue) {
        Map<String, Object> headers = response.getProps().getHeaders() == null ? Map.of() : response.getProps().getHeaders();
        String handler = Headers.asString(headers.get(Headers.HANDLER));
        handler = handler != null ? handler : handlerQueue.substring(handlerQueue.lastIndexOf('.') + 1);
        String routingKey = Headers.originalRoutingKey(headers, response.getEnvelope().getRoutingKey());
        Map<String, Object> plain = plain(headers);
        DeadLetter.Builder letter = DeadLetter.builder(response.getBody(), handler, handlerQueue).routingKey(routingKey)
                .transportIdentity(response.getProps().getMessageId(), response.getProps().getType())
                .headers(plain).tag(tag(response.getBody(), plain))
                .firstFailedAt(instant(headers.get(Headers.FIRST_FAILED_AT)));
        DeadLetterReason ours = DeadLetterReason.fromWire(Headers.asString(headers.get(Headers.DEAD_LETTER_REASON)));
        if (ours != null) {
            Instant at = instant(headers.get(Headers.DEAD_LETTERED_AT));
            return letter.reason(ours).attempts(Headers.asInt(headers.get(Headers.ATTEMPTS)))
                    .failure(Headers.asString(headers.get(Headers.EXCEPTION_CLASS)),
                            Headers.asString(headers.get(Headers.EXCEPTION_MESSAGE)))
                    .deadLetteredAt(at).lastFailedAt(at).build();
        }
        Map<?, ?> death = latestDeath(headers);
        if (death != null && handlerQueue.equals(Headers.asString(death.get("queue")))) {
            String brokerReason = String.valueOf(death.get("reason"));
            DeadLetterReason reason = switch (brokerReason) {
                case "rejected" -> DeadLetterReason.REJECTED;
                case "delivery_limit" -> DeadLetterReason.DELIVERY_LIMIT;
                default -> DeadLetterReason.EXPIRED; // expired, maxlen
            };
            return letter.reason(reason).attempts(Headers.retryCount(headers))
                    .failure(null, "dead-lettered by the broker from " + handlerQueue + ": " + brokerReason)
                    .deadLetteredAt(time(death)).build();
        }
        int attempts = Headers.retryCount(headers);
        String writer = headers.containsKey(Headers.PETISCO_REDELIVERY_COUNT) ? "a petisco consumer after " + attempts
                + " attempt(s); petisco records no reason" : "a publisher that recorded no reason";
        // petisco records no time: the last x-death (its last retry's TTL) is the closest known
        Instant at = death == null ? null : time(death);
        return letter.reason(DeadLetterReason.MAX_RETRIES_EXCEEDED).attempts(attempts)
                .failure(null, "dead-lettered by " + writer).deadLetteredAt(at).lastFailedAt(at).build();
    }

    private static @Nullable Map<?, ?> latestDeath(Map<String, Object> headers) {
        if (headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty() && deaths.get(0) instanceof Map<?, ?> latest) {
            return latest;
        }
        return null;
    }

    private static @Nullable Instant time(Map<?, ?> death) {
        return death.get("time") instanceof Date date ? date.toInstant() : null;
    }

    private static @Nullable Instant instant(@Nullable Object header) {
        String text = Headers.asString(header);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The headers as plain Java values: long strings as strings, timestamps as instants, tables as maps; a value nested
     * deeper than {@value Headers#MAX_REPUBLISHED_DEPTH} levels as a note (it comes from the network).
     */
    static Map<String, Object> plain(Map<String, Object> headers) {
        Map<String, Object> plain = new LinkedHashMap<>();
        headers.forEach((key, value) -> plain.put(key, Headers.nestedAtMost(value, Headers.MAX_REPUBLISHED_DEPTH)
                ? plainValue(value) : "(nested deeper than " + Headers.MAX_REPUBLISHED_DEPTH + " levels: not shown)"));
        return plain;
    }

    private static @Nullable Object plainValue(@Nullable Object value) {
        if (value instanceof LongString text) {
            return text.toString();
        }
        if (value instanceof Date date) {
            return date.toInstant();
        }
        if (value instanceof Map<?, ?> table) {
            Map<String, Object> plain = new LinkedHashMap<>();
            table.forEach((key, nested) -> plain.put(String.valueOf(key), plainValue(nested)));
            return plain;
        }
        if (value instanceof List<?> array) {
            List<Object> plain = new ArrayList<>(array.size());
            array.forEach(nested -> plain.add(plainValue(nested)));
            return plain;
        }
        return value;
    }

    private static String tag(byte[] body, Map<String, Object> headers) {
        Map<String, Object> stable = new TreeMap<>(headers);
        stable.remove(DELIVERY_COUNT);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(body);
            sha.update(canonical(stable).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** A value as text that is the same for equal contents: maps sorted by key, byte arrays in hex. */
    private static String canonical(@Nullable Object value) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((key, nested) -> sorted.put(String.valueOf(key), nested));
            sorted.forEach((key, nested) -> out.append(key).append('=').append(canonical(nested)).append(';'));
            return out.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            list.forEach(nested -> out.append(canonical(nested)).append(','));
            return out.append(']').toString();
        }
        if (value instanceof byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
        return String.valueOf(value);
    }
}
