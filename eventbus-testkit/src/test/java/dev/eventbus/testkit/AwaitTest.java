package dev.eventbus.testkit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwaitTest {

    @Test
    void returnsAsSoonAsTheConditionHolds() {
        AtomicInteger calls = new AtomicInteger();

        Await.until("the third call", Duration.ofSeconds(5), () -> calls.incrementAndGet() >= 3, () -> calls + " calls");

        assertEquals(3, calls.get());
    }

    @Test
    void failsAfterTheDeadlineWithWhatWasObserved() {
        long start = System.nanoTime();

        AssertionError failure = assertThrows(AssertionError.class,
                () -> Await.until("3 mails sent", Duration.ofMillis(200), () -> false, () -> "1 mail sent"));

        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("expected 3 mails sent within PT0.2S; observed: 1 mail sent", failure.getMessage());
        assertTrue(elapsedMillis >= 200 && elapsedMillis < 2_000, "waited " + elapsedMillis + " ms for a 200 ms deadline");
    }

    @Test
    void quietForWatchesTheWholePeriodWhenNothingHappens() {
        AtomicInteger looks = new AtomicInteger();
        long start = System.nanoTime();

        Await.quietFor("no fifth attempt", Duration.ofMillis(200), () -> looks.incrementAndGet() < 0);

        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMillis >= 200, "watched " + elapsedMillis + " ms of 200");
        assertTrue(looks.get() >= 3, "looked again and again, not once at the end: " + looks.get());
    }

    @Test
    void quietForFailsAsSoonAsItHappens() {
        AtomicInteger looks = new AtomicInteger();
        long start = System.nanoTime();

        AssertionError failure = assertThrows(AssertionError.class,
                () -> Await.quietFor("no fifth attempt", Duration.ofSeconds(10), () -> looks.incrementAndGet() >= 3));

        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("expected no fifth attempt for 10000 ms", failure.getMessage());
        assertTrue(elapsedMillis < 5_000, "failed at the third look, not at the end of the period: " + elapsedMillis + " ms");
    }

    @Test
    void checksOnceEvenWithAZeroTimeout() {
        AtomicInteger calls = new AtomicInteger();

        Await.until("one check", Duration.ZERO, () -> calls.incrementAndGet() == 1);

        assertEquals(1, calls.get());
    }

    @Test
    void reportsTheLastExceptionOfTheConditionOnTimeout() {
        AssertionError failure = assertThrows(AssertionError.class, () -> Await.until("a ready service", Duration.ofMillis(50),
                () -> {
                    throw new IllegalStateException("service not started");
                }, () -> "service down"));

        assertTrue(failure.getMessage().startsWith("expected a ready service within PT0.05S; observed: service down "
                + "(last check threw java.lang.IllegalStateException: service not started)"), failure.getMessage());
        assertInstanceOf(IllegalStateException.class, failure.getCause());
    }

    @Test
    void untilValueReturnsTheAcceptedValueOrShowsTheLastOne() {
        AtomicInteger counter = new AtomicInteger();

        assertEquals(4, Await.untilValue("a counter of 4", Duration.ofSeconds(5), counter::incrementAndGet, value -> value == 4));
        AssertionError failure = assertThrows(AssertionError.class,
                () -> Await.untilValue("a negative counter", Duration.ofMillis(30), () -> 7, value -> value < 0));
        assertEquals("expected a negative counter within PT0.03S; observed: 7", failure.getMessage());
    }
}
