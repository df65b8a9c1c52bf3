package dev.eventbus.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.OffsetStore;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a {@link JdbcOffsetStore} keeps, on each database: per stream and subscriber, across store instances. */
abstract class OffsetStoreContract {

    private TestDatabase database;

    abstract TestDatabase database();

    private TestDatabase db() {
        if (database == null) {
            database = database();
        }
        return database;
    }

    private String table() {
        return db().database() == Database.H2 ? "stream_offsets" : db().schema() + ".stream_offsets";
    }

    @AfterEach
    void drop() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void anOffsetIsKeptPerStreamAndSubscriberAndSurvivesANewStore() {
        OffsetStore store = JdbcOffsetStore.create(db().dataSource(), table());
        assertEquals(OptionalLong.empty(), store.load("acme.orders.stream", "audit"));

        store.store("acme.orders.stream", "audit", 100);
        store.store("acme.orders.stream", "audit", 250);
        store.store("acme.orders.stream", "billing", 7);
        store.store("acme.users.stream", "audit", 3);

        OffsetStore returning = JdbcOffsetStore.create(db().dataSource(), table()); // the table exists: kept
        assertEquals(OptionalLong.of(250), returning.load("acme.orders.stream", "audit"));
        assertEquals(OptionalLong.of(7), returning.load("acme.orders.stream", "billing"));
        assertEquals(OptionalLong.of(3), returning.load("acme.users.stream", "audit"));
        assertEquals(OptionalLong.empty(), returning.load("acme.users.stream", "billing"));
    }

    @Test
    void concurrentWritersOfOneSubscriberEachSucceed() throws Exception {
        OffsetStore store = JdbcOffsetStore.create(db().dataSource(), table());
        Thread[] writers = new Thread[4];
        java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < writers.length; i++) {
            long offset = i;
            writers[i] = new Thread(() -> {
                try {
                    store.store("acme.orders.stream", "audit", offset);
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            });
            writers[i].start();
        }
        for (Thread writer : writers) {
            writer.join();
        }
        assertEquals(java.util.List.of(), failures);
        long stored = store.load("acme.orders.stream", "audit").orElseThrow();
        assertTrue(stored >= 0 && stored < 4, "one of the offsets written: " + stored);
    }

    @Test
    void aTableNameThatIsNotAnIdentifierIsRefused() {
        ConfigurationException refused = assertThrows(ConfigurationException.class,
                () -> JdbcOffsetStore.create(db().dataSource(), "offsets; DROP TABLE x"));
        assertTrue(refused.getMessage().contains("not a plain SQL identifier"), refused.getMessage());
    }
}
