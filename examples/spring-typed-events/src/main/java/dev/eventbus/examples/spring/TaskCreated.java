package dev.eventbus.examples.spring;

import dev.eventbus.core.Command;

/**
 * The distributor asks a processor to run one task of an object: a command, routed as
 * {@code <org>.distributor.1.command.task.created} on the distributor's exchange, to the one queue all processors share.
 *
 * @param taskId   the task's id
 * @param objectId the object the task belongs to
 * @param kind     the object's kind
 * @param step     which of the object's tasks this is, 1 to 3
 */
public record TaskCreated(String taskId, String objectId, String kind, int step) implements Command {
}
