package dev.eventbus.examples.spring;

import dev.eventbus.core.Event;

/**
 * A processor finished a task: version 1, still published by legacy processors while version 2
 * ({@link TaskFinishedV2}) is rolled out.
 *
 * @param taskId    the task's id
 * @param objectId  the object the task belongs to
 * @param processor the instance that ran it
 */
public record TaskFinished(String taskId, String objectId, String processor) implements Event {
}
