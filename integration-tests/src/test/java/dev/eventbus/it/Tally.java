package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a fault scenario published, got confirmed, and handled, keyed by event id: the numbers the
 * reliability suite prints per scenario (published / confirmed / handled / duplicates / lost).
 */
final class Tally {

    private final String scenario;
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger failedPublishes = new AtomicInteger();
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();

    Tally(String scenario) {
        this.scenario = scenario;
    }

    void published() {
        published.incrementAndGet();
    }

    /** The publish call returned: the broker confirmed it. */
    void confirmed(String id) {
        confirmed.add(id);
    }

    private final java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The publish call threw: reported to the caller, so it is not owed. */
    void publishFailed() {
        failedPublishes.incrementAndGet();
    }

    /** The publish call threw this: reported to the caller, so it is not owed. */
    void publishFailed(Exception failure) {
        publishFailed();
        if (failures.size() < 3) {
            failures.add(failure.toString());
        }
    }

    /** The first few publish failures, for failure messages. */
    java.util.List<String> failures() {
        return failures;
    }

    void handled(String id) {
        handled.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
    }

    int confirmedCount() {
        return confirmed.size();
    }

    int publishedCount() {
        return published.get();
    }

    /** Confirmed events not handled (yet). */
    long lost() {
        return confirmed.stream().filter(id -> !handled.containsKey(id)).count();
    }

    /** Deliveries beyond the first, of any event. */
    int duplicates() {
        return handled.values().stream().mapToInt(count -> count.get() - 1).sum();
    }

    int publishFailures() {
        return failedPublishes.get();
    }

    int handledDistinct() {
        return handled.size();
    }

    boolean allConfirmedHandled() {
        return lost() == 0;
    }

    String line() {
        return String.format("reliability %-34s published %7d  confirmed %7d  publish-failures %4d  handled %7d  duplicates %5d  lost %d",
                scenario, published.get(), confirmed.size(), failedPublishes.get(), handled.size(), duplicates(), lost());
    }

    /** Prints the scenario's line and asserts nothing confirmed was lost and duplicates stay within the bound. */
    void report(int maxDuplicates) {
        System.out.println(line());
        assertEquals(0, lost(), () -> "confirmed but never handled: " + line());
        assertTrue(duplicates() <= maxDuplicates, () -> "more duplicates than " + maxDuplicates + ": " + line());
        assertEquals(published.get(), confirmed.size() + failedPublishes.get(),
                () -> "every publish is confirmed or reported to its caller: " + line());
    }
}
