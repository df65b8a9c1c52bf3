package dev.eventbus.examples.pipeline;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the statistics know at one moment: messages counted per name (all versions) and per name and version, and
 * the durations of finished tasks (finished minus started, from the events' {@code occurred_on}). Immutable.
 *
 * @param messages          count per message name
 * @param messagesByVersion count per message name and version
 * @param durations         task durations
 */
public record StatisticsSnapshot(Map<String, Long> messages, Map<String, Map<Integer, Long>> messagesByVersion,
                                 Durations durations) {

    public StatisticsSnapshot {
        messages = Map.copyOf(messages);
        messagesByVersion = Map.copyOf(messagesByVersion);
    }

    /**
     * Task durations.
     *
     * @param tasks              finished tasks with a known start
     * @param meanMillis         mean of finished minus started
     * @param maxMillis          longest finished minus started
     * @param reported           tasks whose processor reported its own measure ({@code task.finished} v2)
     * @param meanReportedMillis mean of the reported measures
     */
    public record Durations(long tasks, double meanMillis, long maxMillis, long reported, double meanReportedMillis) {
    }

    /** The snapshot from counts per name and version. */
    static StatisticsSnapshot of(Map<String, Map<Integer, Long>> byVersion, Durations durations) {
        Map<String, Long> total = new TreeMap<>();
        byVersion.forEach((name, versions) -> total.put(name, versions.values().stream().mapToLong(Long::longValue).sum()));
        return new StatisticsSnapshot(total, byVersion, durations);
    }

    /** Messages counted of one name, all versions; 0 if none. */
    public long count(String name) {
        return messages.getOrDefault(name, 0L);
    }
}
