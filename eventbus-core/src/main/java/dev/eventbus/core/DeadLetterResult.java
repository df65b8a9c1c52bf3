package dev.eventbus.core;

import java.time.Duration;

/**
 * What a {@link DeadLetters} operation did. Immutable.
 *
 * @param examined  letters read (matching or not)
 * @param processed letters acted on: replayed, moved or discarded, each removed from the dead letters
 * @param elapsed   how long it took
 */
public record DeadLetterResult(long examined, long processed, Duration elapsed) {

    /** Letters acted on per second (0 if it took under a millisecond). */
    public double perSecond() {
        long millis = elapsed.toMillis();
        return millis == 0 ? 0 : processed * 1000.0 / millis;
    }
}
