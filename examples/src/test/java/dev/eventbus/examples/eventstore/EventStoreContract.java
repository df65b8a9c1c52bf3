package dev.eventbus.examples.eventstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every database behind {@link EventStore} must do; subclasses say which database. */
abstract class EventStoreContract {

    private static final String CREATED = "object.created";
    private static final String STARTED = "task.started";

    EventStore store;

    abstract EventStore open();

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void dropStore() {
        store.drop();
        store.close();
    }

    private OptionalLong append(String id, String name) {
        return append(id, name, 1);
    }

    private OptionalLong append(String id, String name, int version) {
        return store.append(id, name, version, "domain_event", Instant.now().truncatedTo(ChronoUnit.MICROS),
                "{\"data\":{\"id\":\"" + id + "\"}}");
    }

    @Test
    void assignsIncreasingOffsetsFromOneInArrivalOrder() {
        List<Long> offsets = List.of(append("m-1", CREATED).getAsLong(), append("m-2", STARTED).getAsLong(),
                append("m-3", CREATED).getAsLong());
        assertEquals(List.of(1L, 2L, 3L), offsets, "offsets of three appends");
        assertEquals(3, store.head(), "head after three appends");
        assertEquals(3, store.count(), "count after three appends");
    }

    @Test
    void storesAMessageIdOnce() {
        append("m-1", CREATED);
        OptionalLong again = append("m-1", CREATED);
        assertTrue(again.isEmpty(), "expected no offset for a message id stored already; got " + again);
        assertEquals(1, store.count(), "count after appending one id twice");
        assertEquals(OptionalLong.of(1), store.offsetOf("m-1"), "offset of m-1");
        assertEquals(OptionalLong.empty(), store.offsetOf("unknown"), "offset of an id never stored");
    }

    @Test
    void readsInOffsetOrderByNameAndVersionAndInChunks() {
        for (int i = 1; i <= 7; i++) {
            append("m-" + i, i % 2 == 0 ? STARTED : CREATED);
        }
        append("m-8", CREATED, 2);
        List<StoredEvent> first = store.read(1, CREATED, 1, 2);
        List<StoredEvent> second = store.read(first.get(1).offset() + 1, CREATED, 1, 2);
        List<StoredEvent> third = store.read(second.get(1).offset() + 1, CREATED, 1, 2);
        List<StoredEvent> all = store.read(1, 100);

        assertEquals(List.of("m-1", "m-3"), first.stream().map(StoredEvent::messageId).toList(), "first chunk");
        assertEquals(List.of("m-5", "m-7"), second.stream().map(StoredEvent::messageId).toList(), "second chunk");
        assertEquals(List.of(), third.stream().map(StoredEvent::messageId).toList(), "third chunk (m-8 is version 2)");
        assertEquals(List.of("m-8"), store.read(1, CREATED, 2, 10).stream().map(StoredEvent::messageId).toList(),
                "object.created version 2");
        assertEquals(8, all.size(), "everything from offset 1");
        assertEquals("{\"data\":{\"id\":\"m-4\"}}", all.get(3).body(), "body of m-4");
        assertEquals("task.started", all.get(3).name(), "name of m-4");
        assertTrue(store.read(9, 100).isEmpty(), "nothing after the head");
    }
}
