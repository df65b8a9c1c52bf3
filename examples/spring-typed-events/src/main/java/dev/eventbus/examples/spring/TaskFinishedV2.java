package dev.eventbus.examples.spring;

import dev.eventbus.core.Event;
import dev.eventbus.core.MessageName;
import dev.eventbus.core.MessageVersion;

/**
 * A processor finished a task: version 2 of {@code task.finished}, which adds how long the work took as the
 * processor measured it. Routed as {@code <org>.processor.2.event.task.finished}, so version 1 consumers never see it.
 *
 * @param taskId         the task's id
 * @param objectId       the object the task belongs to
 * @param processor      the instance that ran it
 * @param durationMillis the processor's own measure of the work, in milliseconds
 */
@MessageName("task.finished")
@MessageVersion(2)
public record TaskFinishedV2(String taskId, String objectId, String processor, long durationMillis) implements Event {
}
