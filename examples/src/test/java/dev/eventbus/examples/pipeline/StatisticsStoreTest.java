package dev.eventbus.examples.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The statistics' database: counts by message id, durations from the first start and finish of each task. */
class StatisticsStoreTest {

    private final StatisticsStore store = StatisticsStore.open("jdbc:h2:mem:" + UUID.randomUUID());
    private final Instant t0 = Instant.parse("2026-11-23T10:00:00Z");

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void countsEachMessageIdOncePerNameAndVersion() {
        assertTrue(store.count("m-1", "task.finished", 1, t0), "first count of m-1");
        assertFalse(store.count("m-1", "task.finished", 1, t0), "a redelivered m-1 is not counted again");
        store.count("m-2", "task.finished", 2, t0);
        store.count("m-3", "task.finished", 2, t0);
        store.count("m-4", "object.created", 1, t0);

        assertEquals(Map.of("object.created", Map.of(1, 1L), "task.finished", Map.of(1, 1L, 2, 2L)), store.counts());
        StatisticsSnapshot snapshot = StatisticsSnapshot.of(store.counts(), store.durations());
        assertEquals(3, snapshot.count("task.finished"), "task.finished over both versions");
        assertEquals(0, snapshot.count("task.started"), "a name never counted");
    }

    @Test
    void measuresFinishedTasksFromTheirFirstStartWhateverTheOrderOfArrival() {
        store.finished("t-1", t0.plusMillis(300), null);
        store.started("t-1", t0.plusMillis(100));
        store.started("t-1", t0.plusMillis(250));
        store.started("t-2", t0);
        store.finished("t-2", t0.plusMillis(100), 90L);
        store.started("t-3", t0);

        StatisticsSnapshot.Durations durations = store.durations();
        assertEquals(2, durations.tasks(), "finished tasks with a start (t-3 has not finished)");
        assertEquals(150.0, durations.meanMillis(), 0.001, "mean of 200 ms and 100 ms");
        assertEquals(200, durations.maxMillis(), "longest");
        assertEquals(1, durations.reported(), "tasks with a reported duration");
        assertEquals(90.0, durations.meanReportedMillis(), 0.001, "mean reported");
    }
}
