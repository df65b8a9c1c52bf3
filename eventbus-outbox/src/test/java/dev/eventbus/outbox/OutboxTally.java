package dev.eventbus.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The numbers of an outbox fault scenario, printed like the bus's reliability suite: messages written in transactions
 * (published), in transactions that committed (confirmed: the outbox's promise to its caller), in transactions that
 * failed (publish-failures: the caller was told), handled (distinct ids booked by the inbox-wrapped handler), duplicates
 * (copies the broker delivered again, which the inbox acknowledged without running the handler) and lost (committed
 * but never booked).
 */
final class OutboxTally {

    private final String scenario;
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Set<String> committed = ConcurrentHashMap.newKeySet();

    OutboxTally(String scenario) {
        this.scenario = scenario;
    }

    void committed(Set<String> ids) {
        published.addAndGet(ids.size());
        committed.addAll(ids);
    }

    void failed(int messages) {
        published.addAndGet(messages);
        failed.addAndGet(messages);
    }

    int committedCount() {
        return committed.size();
    }

    /** The ids booked in the ledger, and how many rows it has (more rows than ids = a handler ran twice). */
    record Booked(Set<String> ids, int rows) {
    }

    static Booked booked(DataSource dataSource, String ledger) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT message_id FROM " + ledger)) {
            Set<String> ids = new HashSet<>();
            int rows = 0;
            while (result.next()) {
                ids.add(result.getString(1));
                rows++;
            }
            return new Booked(ids, rows);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the ledger: " + e.getMessage(), e);
        }
    }

    long lost(Booked booked) {
        return committed.stream().filter(id -> !booked.ids().contains(id)).count();
    }

    String line(Booked booked, long duplicates) {
        return String.format("reliability %-34s published %7d  confirmed %7d  publish-failures %4d  handled %7d  duplicates %5d  lost %d",
                scenario, published.get(), committed.size(), failed.get(), booked.ids().size(), duplicates, lost(booked));
    }

    /**
     * Prints the line and asserts: nothing committed lost, the handler ran once per id (the inbox deduplicated every
     * copy), duplicates within the bound, every message either committed or reported.
     */
    void report(Booked booked, long duplicates, int maxDuplicates) {
        String line = line(booked, duplicates);
        System.out.println(line);
        assertEquals(0, lost(booked), () -> "committed but never handled: " + line);
        assertEquals(booked.ids().size(), booked.rows(), () -> "the handler ran more than once for some id: " + line);
        assertTrue(duplicates <= maxDuplicates, () -> "more duplicates than " + maxDuplicates + ": " + line);
        assertEquals(published.get(), committed.size() + failed.get(), () -> "every message committed or reported: " + line);
    }
}
