package dev.eventbus.core;

import java.time.Duration;

/**
 * How far a {@link DeadLetters} operation has come, reported to its progress listener after each letter it acted on.
 * Immutable.
 *
 * @param examined  letters read so far (matching or not)
 * @param processed letters acted on so far (replayed, moved or discarded)
 * @param total     letters in the queues in scope when the operation started: at most this many are examined
 * @param elapsed   time since the operation started
 */
public record DeadLetterProgress(long examined, long processed, long total, Duration elapsed) {

    /** Letters acted on per second so far (0 before the first millisecond). */
    public double perSecond() {
        long millis = elapsed.toMillis();
        return millis == 0 ? 0 : processed * 1000.0 / millis;
    }
}
