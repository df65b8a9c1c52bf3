package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class StreamOptionsTest {

    @Test
    void startsAreTheFivePositionsAndRefuseWhatDoesNotFit() {
        assertEquals(StreamStart.Position.FIRST, StreamStart.first().position());
        assertEquals(StreamStart.Position.LAST, StreamStart.last().position());
        assertEquals(StreamStart.Position.NEXT, StreamStart.next().position());
        assertEquals(42, StreamStart.offset(42).offset());
        Instant at = Instant.parse("2026-12-02T01:00:00Z");
        assertEquals(at, StreamStart.timestamp(at).timestamp());
        ConfigurationException negative = assertThrows(ConfigurationException.class, () -> StreamStart.offset(-1));
        assertTrue(negative.getMessage().contains("negative"), negative.getMessage());
        assertThrows(ConfigurationException.class, () -> new StreamStart(StreamStart.Position.TIMESTAMP, 0, null));
        assertThrows(ConfigurationException.class, () -> new StreamStart(StreamStart.Position.FIRST, 3, null));
    }

    @Test
    void optionsHaveDefaultsAndCheckTheirValues() {
        StreamOptions options = StreamOptions.from(StreamStart.first());
        assertEquals(500, options.chunkSize());
        assertEquals(100, options.commitEvery());
        assertEquals(StreamOptions.DEFAULT_FAILURES, options.failures());
        assertEquals(StreamRetention.unlimited(), options.retention());
        assertTrue(options.offsets() instanceof InMemoryOffsetStore);
        assertThrows(ConfigurationException.class, () -> options.chunkSize(0));
        assertThrows(ConfigurationException.class, () -> options.chunkSize(65_536));
        assertThrows(ConfigurationException.class, () -> options.commitEvery(0));
        ConfigurationException slow = assertThrows(ConfigurationException.class,
                () -> options.failures(RetryPolicy.of(3, Duration.ofMinutes(5))));
        assertTrue(slow.getMessage().contains("holds the whole stream"), slow.getMessage());
    }

    @Test
    void retentionIsGivenInTheBrokersUnits() {
        StreamRetention retention = StreamRetention.unlimited().maxAge(Duration.ofDays(7)).maxLengthBytes(1000)
                .maxSegmentSizeBytes(100);
        assertEquals("604800s", retention.maxAgeArgument());
        assertEquals(1000L, retention.maxLengthBytes());
        assertEquals(100L, retention.maxSegmentSizeBytes());
        assertNull(StreamRetention.unlimited().maxAgeArgument());
        assertThrows(ConfigurationException.class, () -> StreamRetention.unlimited().maxAge(Duration.ofMillis(500)));
        assertThrows(ConfigurationException.class, () -> StreamRetention.unlimited().maxLengthBytes(0));
    }

    @Test
    void theInMemoryOffsetStoreKeepsOneOffsetPerStreamAndSubscriber() {
        OffsetStore store = new InMemoryOffsetStore();
        store.store("a.b.stream", "audit", 5);
        store.store("a.b.stream", "audit", 9);
        store.store("a.c.stream", "audit", 1);
        assertEquals(OptionalLong.of(9), store.load("a.b.stream", "audit"));
        assertEquals(OptionalLong.of(1), store.load("a.c.stream", "audit"));
        assertEquals(OptionalLong.empty(), store.load("a.b.stream", "billing"));
    }

    @Test
    void aServicesStreamIsNamedAfterItsExchange() {
        assertEquals("alice.petisco.stream", Convention.of("alice", "petisco").stream());
    }
}
