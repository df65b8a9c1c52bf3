package dev.eventbus.testkit.contract;

import dev.eventbus.core.Event;

/**
 * Another event of the contract suite: {@code task.completed}, version 1.
 *
 * @param taskId the task
 */
public record TaskCompleted(String taskId) implements Event {
}
