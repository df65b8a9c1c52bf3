package dev.eventbus.examples.eventstore;

import dev.eventbus.core.Command;

/**
 * Asks the event store to send one handler queue the stored messages of that queue's routing key, in order, from
 * {@code fromOffset} on, or, when {@code afterMessageId} is given and stored, from the message after it.
 *
 * @param handlerQueue   the queue to send them to, e.g. {@code alice.pipeline.1.event.object.created.object_audit}
 * @param fromOffset     the first offset to send, 1 for everything
 * @param afterMessageId the last message the subscriber handled, or null
 */
public record ReplayRequested(String handlerQueue, long fromOffset, String afterMessageId) implements Command {
}
