package dev.eventbus.examples.spring;

import dev.eventbus.core.Event;

/**
 * A processor started a task.
 *
 * @param taskId    the task's id
 * @param objectId  the object the task belongs to
 * @param processor the instance that runs it
 */
public record TaskStarted(String taskId, String objectId, String processor) implements Event {
}
