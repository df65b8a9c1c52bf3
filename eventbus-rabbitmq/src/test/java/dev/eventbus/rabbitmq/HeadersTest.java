package dev.eventbus.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersTest {

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
}
