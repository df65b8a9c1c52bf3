package dev.eventbus.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.impl.LongStringHelper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HeadersTest {

    @Test
    void republishedHeadersLeaveOutValuesNestedTooDeepWithoutRecursing() {
        Object deep = "leaf";
        for (int i = 0; i < 100_000; i++) { // far deeper than any stack could recurse
            deep = java.util.List.of(deep);
        }
        Object shallow = java.util.Map.of("a", java.util.List.of(java.util.Map.of("b", 1)));
        java.util.Map<String, Object> copy = Headers.withoutDeathHeaders(java.util.Map.of("deep", deep, "shallow", shallow,
                "x-death", java.util.List.of(), Headers.PETISCO_QUEUE, "q"));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Map.of("shallow", shallow, Headers.PETISCO_QUEUE, "q"), copy);
        Object limit = "leaf";
        for (int i = 0; i < Headers.MAX_REPUBLISHED_DEPTH; i++) {
            limit = java.util.List.of(limit);
        }
        org.junit.jupiter.api.Assertions.assertTrue(Headers.withoutDeathHeaders(java.util.Map.of("limit", limit)).containsKey("limit"),
                "a value exactly at the limit is kept");
    }

    @Test
    void readsTheRetryCounterAsAnyIntegerType() {
        assertEquals(0, Headers.retryCount(null));
        assertEquals(0, Headers.retryCount(Map.of()));
        assertEquals(3, Headers.retryCount(Map.of(Headers.RETRY_COUNT, 3)));
        assertEquals(3, Headers.retryCount(Map.of(Headers.PETISCO_REDELIVERY_COUNT, (byte) 3)));
        assertEquals(4, Headers.retryCount(Map.of(Headers.PETISCO_REDELIVERY_COUNT, 4L)));
        assertEquals(5, Headers.retryCount(Map.of(Headers.PETISCO_REDELIVERY_COUNT, (short) 5)));
        assertEquals(6, Headers.retryCount(Map.of(Headers.PETISCO_REDELIVERY_COUNT, "6")));
        assertEquals(0, Headers.retryCount(Map.of(Headers.PETISCO_REDELIVERY_COUNT, "many")));
    }

    /** Every type amqp-client hands over for a header (pika, Java, other clients), holding 7. */
    static Stream<Arguments> sevenAsEveryType() {
        return Stream.of(
                Arguments.of((byte) 7), Arguments.of((short) 7), Arguments.of(7), Arguments.of(7L),
                Arguments.of(7.0f), Arguments.of(7.0d), Arguments.of(new BigDecimal("7")), Arguments.of(new BigDecimal("7.000")),
                Arguments.of(new BigDecimal("0.7E+1")), Arguments.of(BigInteger.valueOf(7)), Arguments.of("7"), Arguments.of(" +7 "),
                Arguments.of(LongStringHelper.asLongString("7")), Arguments.of("7".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("sevenAsEveryType")
    void aWholeNumberOfAnyTypeIsItsValue(Object seven) {
        assertEquals(7, Headers.retryCount(Map.of(Headers.RETRY_COUNT, seven)), "eventbus-retry-count");
        assertEquals(7, Headers.retryCount(Map.of(Headers.PETISCO_REDELIVERY_COUNT, seven)), "redelivery_count");
        assertEquals(7, Headers.asInt(seven), "attempts");
    }

    /** Forged or corrupted counters, far over any retry policy: before, these wrapped the attempt to a negative one. */
    static Stream<Arguments> hugeCounters() {
        return Stream.of(
                Arguments.of(Integer.MAX_VALUE), Arguments.of(Long.MAX_VALUE), Arguments.of(1e308), Arguments.of(Double.MAX_VALUE),
                Arguments.of(Float.MAX_VALUE), Arguments.of(1e19), Arguments.of((double) Integer.MAX_VALUE),
                Arguments.of(new BigDecimal("1E+999999999")), Arguments.of(new BigDecimal("2147483647")),
                Arguments.of(new BigInteger("123456789012345678901234567890")), Arguments.of("2147483647"),
                Arguments.of("9223372036854775807"), Arguments.of("99999999999999999999999999999999"),
                Arguments.of(LongStringHelper.asLongString("2147483647")), Arguments.of("2147483647".getBytes(StandardCharsets.UTF_8)),
                Arguments.of(Headers.MAX_COUNT + 1), Arguments.of(String.valueOf(Headers.MAX_COUNT + 1)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("hugeCounters")
    void aHugeCounterIsClampedSoThatTheNextAttemptCannotOverflow(Object huge) {
        for (String header : List.of(Headers.RETRY_COUNT, Headers.PETISCO_REDELIVERY_COUNT)) {
            int retries = Headers.retryCount(Map.of(header, huge));
            assertEquals(Headers.MAX_COUNT, retries, () -> header + " = " + huge);
            assertEquals(Headers.MAX_COUNT + 1, Math.addExact(retries, 1), "the attempt after it");
        }
        assertEquals(Headers.MAX_COUNT, Headers.asInt(huge), "attempts");
    }

    @Test
    void countersUpToTheLimitAreReadExactlyAndAboveItAsTheLimit() {
        assertEquals(Headers.MAX_COUNT - 1, Headers.retryCount(Map.of(Headers.RETRY_COUNT, String.valueOf(Headers.MAX_COUNT - 1))));
        assertEquals(Headers.MAX_COUNT, Headers.retryCount(Map.of(Headers.RETRY_COUNT, Headers.MAX_COUNT)));
        assertEquals(Headers.MAX_COUNT, Headers.retryCount(Map.of(Headers.RETRY_COUNT, Headers.MAX_COUNT + 1L)));
        assertEquals(Headers.MAX_COUNT, Headers.retryCount(Map.of(Headers.RETRY_COUNT, Headers.MAX_COUNT + 1.0)));
    }

    /** Not a count at all: negative, fractional, not a number, or not a scalar. */
    static Stream<Arguments> invalidCounters() {
        return Stream.of(
                Arguments.of(-1), Arguments.of(Integer.MIN_VALUE), Arguments.of(Long.MIN_VALUE), Arguments.of((short) -2),
                Arguments.of((byte) -3), Arguments.of(-1e308), Arguments.of(-4.0f), Arguments.of(new BigDecimal("-5")),
                Arguments.of(BigInteger.valueOf(-6)), Arguments.of("-3"), Arguments.of("-2147483648"),
                Arguments.of(LongStringHelper.asLongString("-1")),
                Arguments.of(1.5), Arguments.of(2.5f), Arguments.of(new BigDecimal("3.25")), Arguments.of(Double.MIN_VALUE),
                Arguments.of(Double.NaN), Arguments.of(Float.NaN), Arguments.of(Double.POSITIVE_INFINITY),
                Arguments.of(Double.NEGATIVE_INFINITY), Arguments.of(Float.POSITIVE_INFINITY),
                Arguments.of(""), Arguments.of("   "), Arguments.of("+"), Arguments.of("-"), Arguments.of("1.5"), Arguments.of("1e3"),
                Arguments.of("0x10"), Arguments.of("7 retries"), Arguments.of("NaN"), Arguments.of("٣"),
                Arguments.of(LongStringHelper.asLongString("1".repeat(100))), Arguments.of("9".repeat(10_000)),
                Arguments.of(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00}), Arguments.of(new byte[1000]),
                Arguments.of(Boolean.TRUE), Arguments.of(Map.of("count", 3)), Arguments.of(List.of(3)),
                Arguments.of(List.of(List.of(List.of(3)))), Arguments.of(new Date(3)), Arguments.of('3'));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidCounters")
    void invalidCounterMetadataReadsAsZero(Object invalid) {
        assertEquals(0, Headers.retryCount(Map.of(Headers.RETRY_COUNT, invalid)), () -> "eventbus-retry-count = " + invalid);
        assertEquals(0, Headers.retryCount(Map.of(Headers.PETISCO_REDELIVERY_COUNT, invalid)), () -> "redelivery_count = " + invalid);
        assertEquals(0, Headers.asInt(invalid), () -> "attempts = " + invalid);
    }

    @Test
    void anInvalidCounterDoesNotHideAValidOne() {
        assertEquals(2, Headers.retryCount(Map.of(Headers.RETRY_COUNT, 2, Headers.PETISCO_REDELIVERY_COUNT, -1.5)));
        assertEquals(3, Headers.retryCount(Map.of(Headers.RETRY_COUNT, "-2147483648", Headers.PETISCO_REDELIVERY_COUNT, 3L)));
        assertEquals(Headers.MAX_COUNT, Headers.retryCount(Map.of(Headers.RETRY_COUNT, Long.MAX_VALUE,
                Headers.PETISCO_REDELIVERY_COUNT, 1e308)));
    }

    @Test
    void invalidAndClampedCountersAreLoggedAtWarnNamingTheHeaderAndValidOnesAreNot() {
        String quiet = stderrOf(() -> Headers.retryCount(Map.of(Headers.RETRY_COUNT, 3, Headers.PETISCO_REDELIVERY_COUNT, "2")));
        assertEquals("", quiet, "nothing to warn about for valid counters");
        String log = stderrOf(() -> {
            Headers.retryCount(Map.of(Headers.PETISCO_REDELIVERY_COUNT, "-3\nforged line"));
            Headers.retryCount(Map.of(Headers.RETRY_COUNT, Long.MAX_VALUE));
        });
        assertTrue(log.contains("WARN") && log.contains("header redelivery_count = String '-3?forged line' is not a count"),
                () -> "expected a WARN naming redelivery_count, with the newline masked; got: " + log);
        assertTrue(log.contains("header eventbus-retry-count = Long '9223372036854775807' is over the counter limit; reading it as "
                + Headers.MAX_COUNT), () -> "expected a WARN for the clamped counter; got: " + log);
    }

    /** What slf4j-simple (which writes to System.err as it is at each call) logs while running {@code work}. */
    private static String stderrOf(Runnable work) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            work.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theLargerOfOursAndPetiscosCounterWins() {
        assertEquals(4, Headers.retryCount(Map.of(Headers.RETRY_COUNT, 2, Headers.PETISCO_REDELIVERY_COUNT, 4)));
        assertEquals(5, Headers.retryCount(Map.of(Headers.RETRY_COUNT, 5, Headers.PETISCO_REDELIVERY_COUNT, 1)));
    }

    @Test
    void republishedCopiesLoseTheBrokersDeathHeadersOnly() {
        Map<String, Object> headers = new HashMap<>();
        headers.put("x-death", List.of(Map.of("count", 1)));
        headers.put("x-first-death-reason", "expired");
        headers.put("x-first-death-queue", "q");
        headers.put("x-last-death-reason", "expired");
        headers.put("trace_id", "t-1");
        headers.put(Headers.RETRY_COUNT, 2);
        assertEquals(Map.of("trace_id", "t-1", Headers.RETRY_COUNT, 2), Headers.withoutDeathHeaders(headers));
    }

    @Test
    void delayedRetriesAreOurHeaderOrTheRetryCountAndNeverMoreThanIt() {
        assertEquals(0, Headers.delayedRetries(null));
        assertEquals(3, Headers.delayedRetries(Map.of(Headers.RETRY_COUNT, 3)), "a copy without the header: every retry waited");
        assertEquals(1, Headers.delayedRetries(Map.of(Headers.RETRY_COUNT, 3, Headers.DELAYED_RETRIES, 1)),
                "two of the three retries were immediate");
        assertEquals(2, Headers.delayedRetries(Map.of("redelivery_count", 2, Headers.DELAYED_RETRIES, 7)), "capped");
    }
}
