package dev.eventbus.rabbitmq;

import java.util.HashMap;
import java.util.Map;

/**
 * The AMQP headers eventbus reads and writes. None starts with {@code x-}: RabbitMQ 3.13+ reserves those
 * (it ignores an {@code x-death} set by clients), and the retry counter must survive any broker version.
 *
 * <p>Original messages are published without headers (petisco consumers lose messages that carry any header,
 * see eventbus-core/src/test/resources/wire/README.md in the repository); retried and dead-lettered copies carry the headers below.
 */
public final class Headers {

    /** Retries done so far (1 on the first retried copy). eventbus's own counter. */
    public static final String RETRY_COUNT = "eventbus-retry-count";
    /** petisco's retry counter: read as any integer type, written beside ours so mixed fleets agree. */
    public static final String PETISCO_REDELIVERY_COUNT = "redelivery_count";
    /** petisco's header naming the handler queue a retried message belongs to. */
    public static final String PETISCO_QUEUE = "queue";
    /** The routing key the message was first published with. */
    public static final String ORIGINAL_ROUTING_KEY = "eventbus-original-routing-key";
    /** The exchange the message was first published to. */
    public static final String ORIGINAL_EXCHANGE = "eventbus-original-exchange";
    /** Why the message was dead-lettered: a {@link dev.eventbus.core.DeadLetterReason#wireValue()}. */
    public static final String DEAD_LETTER_REASON = "eventbus-dead-letter-reason";
    /** The class of the last failure. */
    public static final String EXCEPTION_CLASS = "eventbus-exception-class";
    /** The message of the last failure, at most {@value dev.eventbus.core.DeadLetter#MAX_EXCEPTION_MESSAGE} characters. */
    public static final String EXCEPTION_MESSAGE = "eventbus-exception-message";
    /** How many times the handler ran. */
    public static final String ATTEMPTS = "eventbus-attempts";
    /** The handler that gave up. */
    public static final String HANDLER = "eventbus-handler";
    /** The queue the message was consumed from. */
    public static final String QUEUE = "eventbus-queue";
    /** When it was dead-lettered, ISO-8601 UTC. */
    public static final String DEAD_LETTERED_AT = "eventbus-dead-lettered-at";
    /** Schema violations of an invalid message, one string per violation. */
    public static final String VIOLATIONS = "eventbus-violations";

    private Headers() {
    }

    /**
     * Retries done so far according to the headers: the larger of eventbus's and petisco's counters, each
     * read as any integer type (pika sends 32-bit, others 64-bit or strings). 0 without either.
     */
    public static int retryCount(Map<String, Object> headers) {
        if (headers == null) {
            return 0;
        }
        return Math.max(asInt(headers.get(RETRY_COUNT)), asInt(headers.get(PETISCO_REDELIVERY_COUNT)));
    }

    /**
     * A copy of the headers for republishing: without the broker's {@code x-death}, {@code x-first-death-*} and
     * {@code x-last-death-*} headers, which RabbitMQ 3.13+ would not honour and 4.x rejects growing.
     */
    public static Map<String, Object> withoutDeathHeaders(Map<String, Object> headers) {
        Map<String, Object> copy = new HashMap<>();
        if (headers != null) {
            headers.forEach((key, value) -> {
                if (!key.equals("x-death") && !key.startsWith("x-first-death-") && !key.startsWith("x-last-death-")) {
                    copy.put(key, value);
                }
            });
        }
        return copy;
    }

    /** The routing key a message was first published with: our header on retried copies, else the one it came with. */
    static String originalRoutingKey(Map<String, Object> headers, String receivedWith) {
        Object original = headers == null ? null : headers.get(ORIGINAL_ROUTING_KEY);
        return original == null ? receivedWith : original.toString();
    }

    static int asInt(Object value) {
        if (value instanceof Number number) {
            return (int) Math.min(Integer.MAX_VALUE, Math.max(0, number.longValue()));
        }
        if (value != null) {
            try {
                return Integer.parseInt(value.toString().trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    /** A header value as a string (AMQP long strings arrive as {@code LongString}), or null. */
    static String asString(Object value) {
        return value == null ? null : value.toString();
    }
}
