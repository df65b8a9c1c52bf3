package dev.eventbus.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How long a service's stream keeps its events: by age ({@code x-max-age}), by total size ({@code x-max-length-bytes})
 * and the size of the segment files it is cut into ({@code x-stream-max-segment-size-bytes}; RabbitMQ deletes whole
 * segments, so retention is applied a segment at a time). Null means the broker's default (keep everything; 500 MB
 * segments). Immutable; the arguments of an existing stream cannot change, so every subscriber of one stream must give
 * the same retention (RabbitMQ refuses a different one, and the bus says so naming the stream).
 *
 * @param maxAge              events older than this may be deleted; whole seconds at least; null: no age limit
 * @param maxLengthBytes      the stream is cut back to about this size; null: no size limit
 * @param maxSegmentSizeBytes the size of one segment file; null: the broker's default
 */
public record StreamRetention(@Nullable Duration maxAge, @Nullable Long maxLengthBytes, @Nullable Long maxSegmentSizeBytes) {

    public StreamRetention {
        if (maxAge != null && maxAge.getSeconds() < 1) {
            throw new ConfigurationException("stream max age " + maxAge + " is under a second: x-max-age counts whole seconds");
        }
        if (maxLengthBytes != null && maxLengthBytes < 1) {
            throw new ConfigurationException("stream max length " + maxLengthBytes + " bytes must be positive");
        }
        if (maxSegmentSizeBytes != null && maxSegmentSizeBytes < 1) {
            throw new ConfigurationException("stream segment size " + maxSegmentSizeBytes + " bytes must be positive");
        }
    }

    /** No limits: the stream keeps every event (the default). */
    public static StreamRetention unlimited() {
        return new StreamRetention(null, null, null);
    }

    /** A copy keeping events for this long ({@code x-max-age}). */
    public StreamRetention maxAge(Duration age) {
        return new StreamRetention(age, maxLengthBytes, maxSegmentSizeBytes);
    }

    /** A copy keeping about this many bytes ({@code x-max-length-bytes}). */
    public StreamRetention maxLengthBytes(long bytes) {
        return new StreamRetention(maxAge, bytes, maxSegmentSizeBytes);
    }

    /** A copy with segment files of this size ({@code x-stream-max-segment-size-bytes}). */
    public StreamRetention maxSegmentSizeBytes(long bytes) {
        return new StreamRetention(maxAge, maxLengthBytes, bytes);
    }

    /** {@link #maxAge()} as RabbitMQ's {@code x-max-age} takes it: whole seconds, {@code "86400s"}. */
    public @Nullable String maxAgeArgument() {
        return maxAge == null ? null : maxAge.getSeconds() + "s";
    }
}
