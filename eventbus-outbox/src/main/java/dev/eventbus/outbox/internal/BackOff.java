package dev.eventbus.outbox.internal;

import java.time.Duration;

/**
 * An exponential back-off: {@code initial}, doubling, at most {@code max}. Immutable.
 *
 * @param initial the first pause
 * @param max     the longest pause
 */
public record BackOff(Duration initial, Duration max) {

    public BackOff {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("back-off initial pause " + initial + " is not positive");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("back-off maximum " + max + " is shorter than its initial pause " + initial);
        }
    }

    /** The pause after {@code failures} failures in a row (1 for the first): initial × 2^(failures-1), capped. */
    public Duration after(int failures) {
        if (failures <= 1) {
            return initial;
        }
        int doublings = Math.min(failures - 1, 30);
        long millis = initial.toMillis() << doublings;
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
