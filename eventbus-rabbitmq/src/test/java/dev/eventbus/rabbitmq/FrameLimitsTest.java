package dev.eventbus.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.AMQContentHeader;
import com.rabbitmq.client.impl.Frame;
import com.rabbitmq.client.impl.LongStringHelper;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameLimitsTest {

    private static final int FRAME_MAX = 131_072;

    @Test
    void measuresHeadersAsTheClientEncodesThem() throws IOException {
        Map<String, Object> headers = new HashMap<>();
        headers.put("s", "héllo");
        headers.put("ls", LongStringHelper.asLongString("long string"));
        headers.put("i", 7);
        headers.put("l", 7L);
        headers.put("d", 1.5d);
        headers.put("f", 1.5f);
        headers.put("sh", (short) 3);
        headers.put("b", (byte) 3);
        headers.put("t", true);
        headers.put("dec", new BigDecimal("1.25"));
        headers.put("date", new Date(0));
        headers.put("bytes", new byte[10]);
        headers.put("null", null);
        headers.put("list", List.of("a", 1, List.of(2L)));
        headers.put("table", Map.of("x", "y", "nested", Map.of("z", 1)));
        assertEquals(Frame.tableSize(headers) + 4, FrameLimits.encodedSize(headers));
    }

    @Test
    void headersThatFitAreLeftAsTheyAre() {
        Map<String, Object> headers = Map.of(Headers.RETRY_COUNT, 3, "foreign", "value");
        assertSame(headers, FrameLimits.fitToFrame(headers, FRAME_MAX));
    }

    @Test
    void aHugeForeignHeaderIsDroppedAndOursKept() throws IOException {
        Map<String, Object> headers = new HashMap<>();
        headers.put("their-trace", "x".repeat(200_000));
        headers.put("small-foreign", "kept");
        headers.put(Headers.DEAD_LETTER_REASON, "handler_failed");
        headers.put(Headers.EXCEPTION_MESSAGE, "boom");
        Map<String, Object> fitted = FrameLimits.fitToFrame(headers, FRAME_MAX);
        assertFalse(fitted.containsKey("their-trace"), fitted.keySet().toString());
        assertEquals("kept", fitted.get("small-foreign"));
        assertEquals("handler_failed", fitted.get(Headers.DEAD_LETTER_REASON));
        assertFitsInAFrame(fitted, FRAME_MAX);
    }

    @Test
    void ourLongStringsAreTruncatedWithAMark() throws IOException {
        Map<String, Object> headers = new HashMap<>();
        headers.put(Headers.EXCEPTION_MESSAGE, "é".repeat(100_000));
        List<Object> violations = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            violations.add("violation " + i + " " + "v".repeat(1_000));
        }
        headers.put(Headers.VIOLATIONS, violations);
        headers.put(Headers.DEAD_LETTER_REASON, "invalid_message");
        Map<String, Object> fitted = FrameLimits.fitToFrame(headers, FRAME_MAX);
        String message = fitted.get(Headers.EXCEPTION_MESSAGE).toString();
        assertTrue(message.endsWith(FrameLimits.TRUNCATED_MARK) && message.startsWith("éé"), message.substring(0, 20));
        assertEquals("invalid_message", fitted.get(Headers.DEAD_LETTER_REASON));
        assertTrue(fitted.containsKey(Headers.VIOLATIONS));
        assertFitsInAFrame(fitted, FRAME_MAX);
        assertFitsInAFrame(FrameLimits.fitToFrame(headers, 4_096), 4_096);
    }

    @Test
    void deeplyNestedForeignHeadersAreDropped() throws IOException {
        Object nested = "bottom";
        for (int i = 0; i < 5_000; i++) {
            nested = List.of(nested);
        }
        Map<String, Object> headers = new HashMap<>();
        headers.put("deep", nested);
        headers.put(Headers.RETRY_COUNT, 1);
        Map<String, Object> fitted = FrameLimits.fitToFrame(headers, FRAME_MAX);
        assertEquals(Map.of(Headers.RETRY_COUNT, 1), fitted);
    }

    @Test
    void manyMediumForeignHeadersAreDroppedUntilTheRestFits() throws IOException {
        Map<String, Object> headers = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            headers.put("foreign-" + i, "f".repeat(2_000));
        }
        headers.put(Headers.HANDLER, "h");
        Map<String, Object> fitted = FrameLimits.fitToFrame(headers, FRAME_MAX);
        assertEquals("h", fitted.get(Headers.HANDLER));
        assertTrue(fitted.size() > 50, "only as many dropped as needed: kept " + fitted.size());
        assertFitsInAFrame(fitted, FRAME_MAX);
    }

    /** With the largest possible other properties, the client's own content header frame fits in frameMax. */
    private static void assertFitsInAFrame(Map<String, Object> headers, int frameMax) throws IOException {
        String longest = "p".repeat(255);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().headers(headers).contentType(longest)
                .contentEncoding(longest).deliveryMode(2).priority(1).correlationId(longest).replyTo(longest)
                .expiration(longest).messageId(longest).timestamp(new Date()).type(longest).userId(longest).appId(longest)
                .clusterId(longest).build();
        int size = ((AMQContentHeader) properties).toFrame(1, 1_000_000).size();
        assertTrue(size <= frameMax, "content header frame of " + size + " bytes over frame_max " + frameMax);
    }
}
