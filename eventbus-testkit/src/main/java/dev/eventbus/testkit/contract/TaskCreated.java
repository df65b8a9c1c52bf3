package dev.eventbus.testkit.contract;

import dev.eventbus.core.Event;

/**
 * An event of the contract suite: {@code task.created}, version 1.
 *
 * @param taskId the task
 * @param seq    its place in a test's sequence
 */
public record TaskCreated(String taskId, int seq) implements Event {
}
