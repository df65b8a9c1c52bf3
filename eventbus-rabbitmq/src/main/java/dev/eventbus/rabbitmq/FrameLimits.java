package dev.eventbus.rabbitmq;

import com.rabbitmq.client.LongString;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps message headers within one AMQP frame. A message's properties and headers travel in a single content header
 * frame, which may not exceed the connection's {@code frame_max} (RabbitMQ's default: 131072 bytes); the client refuses
 * to publish a larger one ("Content headers exceeded max frame size"). A message consumed with large headers (another
 * producer's, or a long failure message) and republished as a retry or a dead letter must be bounded first.
 *
 * <p>Stateless and thread-safe.
 */
public final class FrameLimits {

    /**
     * Room kept for the other properties: the most that content type, encoding, delivery mode, priority, correlation id,
     * reply-to, expiration, message id, timestamp, type, user id, app id and cluster id can take together (each short
     * string at most 255 bytes), plus the frame's and the content header's fixed parts.
     */
    static final int RESERVED_BYTES = 8 + 14 + 11 * 256 + 1 + 1 + 8;
    /** Nesting deeper than this makes an entry oversize: no header of ours nests, and deep ones are costly to read. */
    static final int MAX_DEPTH = 32;
    /** Our strings are not truncated below this many bytes. */
    static final int MIN_TRUNCATED_BYTES = 128;
    /** Appended to a truncated value. */
    public static final String TRUNCATED_MARK = "...[truncated]";

    private static final String OURS = "eventbus-";

    private FrameLimits() {
    }

    /**
     * Headers that fit, with any other properties, in one frame of {@code frameMax} bytes: the same headers when they
     * fit already, else a copy that
     * <ol>
     *   <li>drops foreign headers (those not starting with {@code eventbus-}) that alone take more than a quarter of the
     *       room, or nest deeper than {@value #MAX_DEPTH} levels, largest first;</li>
     *   <li>then truncates our own string headers (and strings in our lists), largest first, to no less than
     *       {@value #MIN_TRUNCATED_BYTES} bytes, marking them with {@value #TRUNCATED_MARK};</li>
     *   <li>then drops the remaining foreign headers, largest first;</li>
     *   <li>then drops our own, largest first.</li>
     * </ol>
     * A foreign value is dropped rather than cut: a cut value would be a wrong one for whoever reads it. Ours are cut,
     * since their beginning (a failure message, the first violations) is what a reader of dead letters needs.
     *
     * @param headers  the headers (null is no headers)
     * @param frameMax the connection's {@code frame_max} ({@code Connection.getFrameMax()}; 0 means no limit)
     * @return headers whose encoding fits in {@code frameMax} minus the room of the other properties
     */
    public static Map<String, Object> fitToFrame(Map<String, Object> headers, int frameMax) {
        if (headers == null || headers.isEmpty() || frameMax <= 0) {
            return headers;
        }
        long budget = Math.max(0, frameMax - RESERVED_BYTES);
        if (tableSize(headers, 0) <= budget) {
            return headers;
        }
        Map<String, Object> fitted = new LinkedHashMap<>(headers);
        for (String key : largestFirst(fitted, false)) {
            if (entrySize(key, fitted.get(key)) > budget / 4 || depth(fitted.get(key), 0) > MAX_DEPTH) {
                fitted.remove(key);
            }
        }
        while (tableSize(fitted, 0) > budget) {
            String largest = largestFirst(fitted, true).stream().filter(key -> truncatable(fitted.get(key))).findFirst()
                    .orElse(null);
            if (largest == null) {
                break;
            }
            long excess = tableSize(fitted, 0) - budget;
            fitted.put(largest, truncate(fitted.get(largest), excess));
        }
        for (boolean ours : new boolean[] {false, true}) {
            for (String key : largestFirst(fitted, ours)) {
                if (tableSize(fitted, 0) <= budget) {
                    return fitted;
                }
                fitted.remove(key);
            }
        }
        return fitted;
    }

    /** The encoded size of a header table, in bytes, as the client writes it (a long integer length, then entries). */
    public static long encodedSize(Map<String, Object> headers) {
        return headers == null ? 4 : tableSize(headers, 0);
    }

    private static List<String> largestFirst(Map<String, Object> headers, boolean ours) {
        List<String> keys = new ArrayList<>();
        for (String key : headers.keySet()) {
            if (key.startsWith(OURS) == ours) {
                keys.add(key);
            }
        }
        keys.sort(Comparator.comparingLong((String key) -> entrySize(key, headers.get(key))).reversed());
        return keys;
    }

    private static boolean truncatable(Object value) {
        if (value instanceof String || value instanceof LongString) {
            return utf8(value.toString()) > MIN_TRUNCATED_BYTES + TRUNCATED_MARK.length();
        }
        if (value instanceof List<?> list) {
            return list.stream().anyMatch(FrameLimits::truncatable);
        }
        return false;
    }

    /** The value with its string (or its list's largest string) cut by at least {@code excess} bytes, not below the minimum. */
    private static Object truncate(Object value, long excess) {
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list);
            int largest = -1;
            for (int i = 0; i < copy.size(); i++) {
                if (truncatable(copy.get(i)) && (largest < 0 || utf8(copy.get(i).toString()) > utf8(copy.get(largest).toString()))) {
                    largest = i;
                }
            }
            copy.set(largest, truncate(copy.get(largest), excess));
            return copy;
        }
        String text = value.toString();
        long target = Math.max(MIN_TRUNCATED_BYTES, utf8(text) - excess - TRUNCATED_MARK.length());
        StringBuilder kept = new StringBuilder();
        long bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int size = utf8(new String(Character.toChars(codePoint)));
            if (bytes + size > target) {
                break;
            }
            kept.appendCodePoint(codePoint);
            bytes += size;
            i += Character.charCount(codePoint);
        }
        return kept + TRUNCATED_MARK;
    }

    private static long entrySize(String key, Object value) {
        return 1 + utf8(key) + valueSize(value, 0);
    }

    private static long tableSize(Map<?, ?> table, int depth) {
        long size = 4;
        for (Map.Entry<?, ?> entry : table.entrySet()) {
            size += 1 + utf8(String.valueOf(entry.getKey())) + valueSize(entry.getValue(), depth + 1);
        }
        return size;
    }

    /** The size of a field value with its type byte; past {@link #MAX_DEPTH} levels it counts as oversize. */
    private static long valueSize(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            return Integer.MAX_VALUE;
        }
        if (value == null) {
            return 1;
        }
        if (value instanceof String text) {
            return 1 + 4 + utf8(text);
        }
        if (value instanceof LongString text) {
            return 1 + 4 + text.length();
        }
        if (value instanceof Integer || value instanceof Float) {
            return 1 + 4;
        }
        if (value instanceof Long || value instanceof Double || value instanceof Date) {
            return 1 + 8;
        }
        if (value instanceof Short) {
            return 1 + 2;
        }
        if (value instanceof Byte || value instanceof Boolean) {
            return 1 + 1;
        }
        if (value instanceof BigDecimal) {
            return 1 + 1 + 4;
        }
        if (value instanceof byte[] bytes) {
            return 1 + 4 + bytes.length;
        }
        if (value instanceof Map<?, ?> table) {
            return 1 + tableSize(table, depth);
        }
        if (value instanceof List<?> list) {
            long size = 1 + 4;
            for (Object element : list) {
                size += valueSize(element, depth + 1);
            }
            return size;
        }
        if (value instanceof Object[] array) {
            return valueSize(java.util.Arrays.asList(array), depth);
        }
        // the client refuses other types; count it as large so that it goes first
        return Integer.MAX_VALUE;
    }

    private static int depth(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            return depth;
        }
        int deepest = depth;
        if (value instanceof Map<?, ?> table) {
            for (Object element : table.values()) {
                deepest = Math.max(deepest, depth(element, depth + 1));
            }
        } else if (value instanceof List<?> list) {
            for (Object element : list) {
                deepest = Math.max(deepest, depth(element, depth + 1));
            }
        }
        return deepest;
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
