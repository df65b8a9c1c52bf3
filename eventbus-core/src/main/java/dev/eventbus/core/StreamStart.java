package dev.eventbus.core;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@link Subscription#stream(StreamOptions) stream subscription} starts reading its stream the first time,
 * when its {@link OffsetStore} holds no offset for it yet. A subscriber that has an offset stored resumes from it
 * instead, whatever its start. Immutable.
 *
 * <p>The positions are RabbitMQ's {@code x-stream-offset} values: {@link #first()} the oldest event the stream still
 * retains, {@link #last()} the last chunk the broker wrote (a few of the newest events, on RabbitMQ; the newest one in
 * memory), {@link #next()} only what is published from now on, {@link #offset(long)} an event's offset (the first
 * event ever written has offset 0), {@link #timestamp(Instant)} the first chunk written at or after an instant (RabbitMQ
 * compares whole seconds, so a few events of the second before may come too).
 *
 * @param position  which kind of position
 * @param offset    the offset, for {@link Position#OFFSET}; else 0
 * @param timestamp the instant, for {@link Position#TIMESTAMP}; else null
 */
public record StreamStart(Position position, long offset, @Nullable Instant timestamp) {

    /** The kinds of start position. */
    public enum Position {
        /** The oldest event the stream retains. */
        FIRST,
        /** The last chunk written. */
        LAST,
        /** Only events published after the subscriber starts. */
        NEXT,
        /** An event's offset. */
        OFFSET,
        /** The first events written at or after an instant. */
        TIMESTAMP
    }

    public StreamStart {
        Objects.requireNonNull(position, "position");
        if (offset < 0) {
            throw new ConfigurationException("stream offset " + offset + " is negative: offsets start at 0");
        }
        if (position == Position.TIMESTAMP && timestamp == null) {
            throw new ConfigurationException("a TIMESTAMP start needs its instant: use StreamStart.timestamp(instant)");
        }
        if (position != Position.TIMESTAMP && timestamp != null || position != Position.OFFSET && offset != 0) {
            throw new ConfigurationException("a " + position + " start takes no offset or timestamp: use the factory methods");
        }
    }

    /** The oldest event the stream retains. */
    public static StreamStart first() {
        return new StreamStart(Position.FIRST, 0, null);
    }

    /** The last chunk the broker wrote. */
    public static StreamStart last() {
        return new StreamStart(Position.LAST, 0, null);
    }

    /** Only what is published once the subscriber runs. */
    public static StreamStart next() {
        return new StreamStart(Position.NEXT, 0, null);
    }

    /** The event at this offset and every one after it ({@code 0} is the first event ever written). */
    public static StreamStart offset(long offset) {
        return new StreamStart(Position.OFFSET, offset, null);
    }

    /** The events written at or after this instant. */
    public static StreamStart timestamp(Instant instant) {
        return new StreamStart(Position.TIMESTAMP, 0, Objects.requireNonNull(instant, "instant"));
    }
}
