package dev.eventbus.core;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link OffsetStore} in the JVM's memory: offsets survive a bus's stop and a new bus given the same store, not the
 * process. For tests, and for subscribers that start from their {@link StreamStart} again after a restart. Thread-safe.
 */
public final class InMemoryOffsetStore implements OffsetStore {

    private final Map<String, Long> offsets = new ConcurrentHashMap<>();

    /** An empty store. */
    public InMemoryOffsetStore() {
    }

    @Override
    public OptionalLong load(String stream, String subscriber) {
        Long offset = offsets.get(key(stream, subscriber));
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    @Override
    public void store(String stream, String subscriber, long nextOffset) {
        offsets.put(key(stream, subscriber), nextOffset);
    }

    private static String key(String stream, String subscriber) {
        return stream + "\u0000" + subscriber;
    }

    @Override
    public String toString() {
        return "InMemoryOffsetStore[" + offsets.size() + " offsets]";
    }
}
