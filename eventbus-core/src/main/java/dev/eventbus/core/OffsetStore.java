package dev.eventbus.core;

import java.util.OptionalLong;

/**
 * Where a {@link Subscription#stream(StreamOptions) stream subscriber} keeps its offset: the offset of the next event
 * it has to handle, per stream and subscriber (the handler's name), so that a subscriber that returns after a stop or a
 * crash resumes where it stopped and gets what it missed. {@link InMemoryOffsetStore} keeps offsets for the life of
 * the JVM; the outbox module's {@code JdbcOffsetStore} keeps them in a database table, durably.
 *
 * <p>Implementations must be thread-safe: subscribers of several streams call them from their own threads. A bus
 * stores an offset every {@link StreamOptions#commitEvery()} events and when it stops, so after a crash a subscriber
 * handles again at most that many events (at-least-once).
 */
public interface OffsetStore {

    /**
     * The stored offset of a subscriber: the next event it has to handle.
     *
     * @param stream     the stream, e.g. {@code alice.petisco.stream}
     * @param subscriber the subscriber's handler name
     * @return the offset, or empty if none was stored
     * @throws EventBusException if the store cannot be read
     */
    OptionalLong load(String stream, String subscriber);

    /**
     * Stores a subscriber's offset, replacing the one stored.
     *
     * @param stream     the stream
     * @param subscriber the subscriber's handler name
     * @param nextOffset the offset of the next event it has to handle (one past the last it handled)
     * @throws EventBusException if the store cannot be written
     */
    void store(String stream, String subscriber, long nextOffset);
}
