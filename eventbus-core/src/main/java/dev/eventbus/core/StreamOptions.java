package dev.eventbus.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Subscription#stream(StreamOptions) stream subscription} reads its service's stream: where it starts,
 * where its offset is stored, the stream's retention, how many events it takes in one chunk, how often it stores its
 * offset, and how it treats a handler failure. Immutable; start with {@link #from(StreamStart)}.
 *
 * <pre>{@code
 * StreamOptions.from(StreamStart.first()).offsets(new JdbcOffsetStore(dataSource))
 *         .retention(StreamRetention.unlimited().maxAge(Duration.ofDays(7)));
 * }</pre>
 *
 * @param start       where to start when the store holds no offset for the subscriber
 * @param offsets     where the offset is stored; default a new {@link InMemoryOffsetStore}
 * @param retention   the stream's retention, declared with it; default {@link StreamRetention#unlimited()}
 * @param chunkSize   how many events are in flight to the subscriber at most (RabbitMQ's {@code basic.qos} prefetch): a
 *                    backlog arrives in chunks of this size, never all at once; default 500
 * @param commitEvery the offset is stored after this many events (and when the subscriber stops); after a crash at most
 *                    this many are handled again; default 100
 * @param failures    a handler failure is retried in place up to {@code maxRetries} times, {@code delay} apart (the
 *                    stream's order holds meanwhile), then recorded as a dead letter and passed; default 3 retries, 200 ms
 */
public record StreamOptions(StreamStart start, OffsetStore offsets, StreamRetention retention, int chunkSize, int commitEvery,
                            RetryPolicy failures) {

    /** The default {@link #failures()}: 3 retries in place, 200 ms apart. */
    public static final RetryPolicy DEFAULT_FAILURES = RetryPolicy.of(3, Duration.ofMillis(200));

    public StreamOptions {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(offsets, "offsets");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(failures, "failures");
        if (chunkSize < 1 || chunkSize > 65_535) {
            throw new ConfigurationException("stream chunk size " + chunkSize + " must be 1 to 65535 (basic.qos prefetch)");
        }
        if (commitEvery < 1) {
            throw new ConfigurationException("stream commitEvery " + commitEvery + " must be at least 1");
        }
        if (failures.delay().compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigurationException("stream retry delay " + failures.delay() + " is over a minute: a retry in "
                    + "place holds the whole stream, keep it short");
        }
    }

    /** Options starting at {@code start}, with every other default. */
    public static StreamOptions from(StreamStart start) {
        return new StreamOptions(start, new InMemoryOffsetStore(), StreamRetention.unlimited(), 500, 100, DEFAULT_FAILURES);
    }

    /** A copy storing offsets in {@code store}. */
    public StreamOptions offsets(OffsetStore store) {
        return new StreamOptions(start, store, retention, chunkSize, commitEvery, failures);
    }

    /** A copy declaring the stream with this retention. */
    public StreamOptions retention(StreamRetention streamRetention) {
        return new StreamOptions(start, offsets, streamRetention, chunkSize, commitEvery, failures);
    }

    /** A copy taking at most {@code size} events in flight (1 to 65535). */
    public StreamOptions chunkSize(int size) {
        return new StreamOptions(start, offsets, retention, size, commitEvery, failures);
    }

    /** A copy storing its offset after every {@code events} events. */
    public StreamOptions commitEvery(int events) {
        return new StreamOptions(start, offsets, retention, chunkSize, events, failures);
    }

    /** A copy retrying a failed event in place {@code policy.maxRetries()} times, {@code policy.delay()} apart. */
    public StreamOptions failures(RetryPolicy policy) {
        return new StreamOptions(start, offsets, retention, chunkSize, commitEvery, policy);
    }
}
