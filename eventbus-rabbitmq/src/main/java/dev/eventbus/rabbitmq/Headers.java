package dev.eventbus.rabbitmq;

import com.rabbitmq.client.LongString;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP headers eventbus reads and writes. None starts with {@code x-}: RabbitMQ 3.13+ reserves those
 * (it ignores an {@code x-death} set by clients), and the retry counter must survive any broker version.
 *
 * <p>Original messages are published without headers: a petisco consumer fills in its {@code queue} header only when a
 * message has none, and retries one that carries other headers but no {@code queue} under a key nothing is bound to.
 * Messages sent straight to a handler queue carry {@code queue}; retried and dead-lettered copies carry the headers
 * below.
 */
public final class Headers {

    private static final Logger log = LoggerFactory.getLogger(Headers.class);

    /**
     * The largest count {@link #retryCount} and the other counter readers return: a counter above it (forged, or
     * corrupted, such as 2147483647 or {@code Long.MAX_VALUE}) reads as this, so that adding 1 to a count never
     * overflows. No retry policy comes near it.
     */
    public static final int MAX_COUNT = 1_000_000;
    /** Longer text than this is not a counter (the longest valid one is 7 digits); it is not parsed. */
    private static final int MAX_COUNTER_TEXT = 64;

    /** Retries done so far (1 on the first retried copy). eventbus's own counter. */
    public static final String RETRY_COUNT = "eventbus-retry-count";
    /**
     * How many of the retries waited a broker delay (the others were immediate, in-process ones): picks the next step of
     * a ladder or backoff. Absent on copies a petisco consumer or an older eventbus retried, where it equals the retry
     * count.
     */
    public static final String DELAYED_RETRIES = "eventbus-delayed-retries";
    /**
     * The delay in milliseconds (decimal digits) a retried copy waits: the headers exchange {@code delay.<org>.<service>}
     * routes it by this header to the delay queue of that delay.
     */
    public static final String DELAY = "eventbus-delay";
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
    /**
     * When the message's first attempt failed, ISO-8601 UTC: written on its first retried copy (or on its dead letter if it
     * was never retried) and kept on later copies.
     */
    public static final String FIRST_FAILED_AT = "eventbus-first-failed-at";
    /** When it was dead-lettered, ISO-8601 UTC. */
    public static final String DEAD_LETTERED_AT = "eventbus-dead-lettered-at";
    /** Schema violations of an invalid message, one string per violation. */
    public static final String VIOLATIONS = "eventbus-violations";

    private Headers() {
    }

    /**
     * Retries done so far according to the headers: the larger of eventbus's and petisco's counters, each
     * read as any type AMQP clients send (pika sends 32-bit integers, others 64-bit, floats, decimals or strings).
     * Never throws, and always in {@code [0, }{@link #MAX_COUNT}{@code ]}, so {@code retryCount(h) + 1} cannot
     * overflow:
     * <ul>
     *   <li>no header (or a {@code null} value): 0;</li>
     *   <li>a whole number ({@code Byte} to {@code Long}, {@code BigInteger}, or a {@code Float}, {@code Double} or
     *       {@code BigDecimal} without a fraction, or decimal digits as a {@code String}, {@code LongString} or
     *       {@code byte[]} of UTF-8): its value, clamped to {@link #MAX_COUNT} (logged at WARN when clamped);</li>
     *   <li>anything else is invalid metadata, read as 0 and logged at WARN: a negative number, a fraction, NaN or
     *       an infinity, text that is not decimal digits (or is longer than 64 characters), a boolean, a nested
     *       table or an array.</li>
     * </ul>
     */
    public static int retryCount(Map<String, Object> headers) {
        if (headers == null) {
            return 0;
        }
        return Math.max(count(headers.get(RETRY_COUNT), RETRY_COUNT), count(headers.get(PETISCO_REDELIVERY_COUNT),
                PETISCO_REDELIVERY_COUNT));
    }

    /**
     * Delayed retries done so far ({@link #DELAYED_RETRIES}), or {@link #retryCount} where the header is absent; never
     * more than {@link #retryCount} (a copy whose retry counter was reset starts its ladder again).
     */
    public static int delayedRetries(Map<String, Object> headers) {
        Object value = headers == null ? null : headers.get(DELAYED_RETRIES);
        int retries = retryCount(headers);
        return value == null ? retries : Math.min(retries, count(value, DELAYED_RETRIES));
    }

    /** Foreign header values nested deeper than this are not republished (see {@link #withoutDeathHeaders}). */
    public static final int MAX_REPUBLISHED_DEPTH = 32;

    /**
     * A copy of the headers for republishing: without the broker's {@code x-death}, {@code x-first-death-*} and
     * {@code x-last-death-*} headers, which RabbitMQ 3.13+ would not honour and 4.x rejects growing, and without any
     * value nested deeper than {@value #MAX_REPUBLISHED_DEPTH} tables or arrays: the client writes headers recursively,
     * so a hostile header thousands of levels deep would overflow the handler thread's stack on the way out.
     */
    public static Map<String, Object> withoutDeathHeaders(Map<String, Object> headers) {
        Map<String, Object> copy = new HashMap<>();
        if (headers != null) {
            headers.forEach((key, value) -> {
                if (!key.equals("x-death") && !key.startsWith("x-first-death-") && !key.startsWith("x-last-death-")
                        && nestedAtMost(value, MAX_REPUBLISHED_DEPTH)) {
                    copy.put(key, value);
                }
            });
        }
        return copy;
    }

    /** Whether a header value nests tables and arrays at most {@code limit} deep; iterative, so any depth is safe. */
    static boolean nestedAtMost(Object value, int limit) {
        java.util.ArrayDeque<Object[]> pending = new java.util.ArrayDeque<>();
        pending.push(new Object[] {value, 0});
        while (!pending.isEmpty()) {
            Object[] next = pending.pop();
            int depth = (Integer) next[1];
            if (next[0] instanceof Map<?, ?> table) {
                if (depth >= limit) {
                    return false;
                }
                table.values().forEach(nested -> pending.push(new Object[] {nested, depth + 1}));
            } else if (next[0] instanceof java.util.Collection<?> array) {
                if (depth >= limit) {
                    return false;
                }
                array.forEach(nested -> pending.push(new Object[] {nested, depth + 1}));
            }
        }
        return true;
    }

    /**
     * The routing key a message was first published with: our header on copies we republished; for a copy a petisco
     * consumer retried or dead-lettered (it arrives with {@code retry.<queue>} or {@code dead_letter.<queue>} and a
     * {@code queue} header, {@code <routing key>.<handler>}), the queue name without its handler; else the key it arrived
     * with.
     */
    public static String originalRoutingKey(Map<String, Object> headers, String receivedWith) {
        Object original = headers == null ? null : headers.get(ORIGINAL_ROUTING_KEY);
        if (original != null) {
            return original.toString();
        }
        Object queue = headers == null ? null : headers.get(PETISCO_QUEUE);
        if (queue != null && (receivedWith.equals("retry." + queue) || receivedWith.equals("dead_letter." + queue))) {
            String name = queue.toString();
            int handler = name.lastIndexOf('.');
            return handler > 0 ? name.substring(0, handler) : receivedWith;
        }
        return receivedWith;
    }

    /** A counter header (such as {@link #ATTEMPTS}) read as {@link #retryCount} reads each counter: never negative or over {@link #MAX_COUNT}. */
    public static int asInt(Object value) {
        return count(value, "(a counter)");
    }

    /**
     * A counter header's value in {@code [0, MAX_COUNT]}, by the rules of {@link #retryCount}.
     *
     * @param header names the header in the warning
     */
    static int count(Object value, String header) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long number = ((Number) value).longValue();
            if (number >= 0 && number <= MAX_COUNT) {
                return (int) number; // the usual case, without allocating
            }
            return whole(BigInteger.valueOf(number), value, header);
        }
        if (value instanceof BigInteger big) {
            return whole(big, value, header);
        }
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            if (!Double.isFinite(number)) {
                return invalid(value, header, "not a finite number");
            }
            // exact: every finite double is a BigDecimal, and 1e308 must not become Long.MAX_VALUE on the way
            return decimal(new BigDecimal(number), value, header);
        }
        if (value instanceof BigDecimal decimal) {
            return decimal(decimal, value, header);
        }
        if (value instanceof byte[] bytes) {
            return bytes.length > MAX_COUNTER_TEXT ? invalid(value, header, "too long for a counter")
                    : text(new String(bytes, StandardCharsets.UTF_8), value, header);
        }
        if (value instanceof CharSequence || value instanceof LongString) {
            // LongString.toString() decodes its bytes as UTF-8; length() is the byte count, checked before decoding
            long length = value instanceof LongString longString ? longString.length() : ((CharSequence) value).length();
            return length > MAX_COUNTER_TEXT ? invalid(value, header, "too long for a counter") : text(value.toString(), value, header);
        }
        return invalid(value, header, "a " + value.getClass().getSimpleName() + ", not a number");
    }

    private static int text(String text, Object value, String header) {
        String number = text.trim();
        int digitsFrom = number.startsWith("+") || number.startsWith("-") ? 1 : 0;
        if (number.length() == digitsFrom) {
            return invalid(value, header, "not a whole number in decimal digits");
        }
        for (int i = digitsFrom; i < number.length(); i++) {
            if (number.charAt(i) < '0' || number.charAt(i) > '9') {
                return invalid(value, header, "not a whole number in decimal digits");
            }
        }
        return whole(new BigInteger(number), value, header);
    }

    private static int decimal(BigDecimal number, Object value, String header) {
        if (number.signum() == 0) {
            return 0;
        }
        // without trailing zeros a whole number has a scale of 0 or less; stripping is cheap even for 1E+999999999
        BigDecimal stripped = number.stripTrailingZeros();
        if (stripped.scale() > 0) {
            return invalid(value, header, "not a whole number");
        }
        if (stripped.signum() < 0) {
            return invalid(value, header, "negative");
        }
        if (stripped.precision() - stripped.scale() > String.valueOf(MAX_COUNT).length()) {
            return clamped(value, header);
        }
        return whole(stripped.toBigIntegerExact(), value, header);
    }

    private static int whole(BigInteger number, Object value, String header) {
        if (number.signum() < 0) {
            return invalid(value, header, "negative");
        }
        if (number.compareTo(BigInteger.valueOf(MAX_COUNT)) > 0) {
            return clamped(value, header);
        }
        return number.intValue();
    }

    private static int clamped(Object value, String header) {
        log.warn("header {} = {} is over the counter limit; reading it as {}", header, describe(value), MAX_COUNT);
        return MAX_COUNT;
    }

    private static int invalid(Object value, String header, String problem) {
        log.warn("header {} = {} is not a count ({}); reading it as 0", header, describe(value), problem);
        return 0;
    }

    /** A header value for a log line: its type and at most 40 printable characters (it comes from the network). */
    private static String describe(Object value) {
        String text = value instanceof byte[] bytes ? bytes.length + " bytes" : String.valueOf(value);
        StringBuilder out = new StringBuilder(value.getClass().getSimpleName()).append(" '");
        for (int i = 0; i < text.length() && i < 40; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.append(text.length() > 40 ? "...'" : "'").toString();
    }

    /** A header value as a string (AMQP long strings arrive as {@code LongString}), or null. */
    public static String asString(Object value) {
        return value == null ? null : value.toString();
    }
}
