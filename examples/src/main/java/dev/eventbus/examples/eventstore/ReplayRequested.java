package dev.eventbus.examples.eventstore;

import dev.eventbus.core.Command;

/**
 * Asks the event store to send one handler queue the stored messages of one name and version, in order, from
 * {@code fromOffset} on, or, when {@code afterMessageId} is given and stored, from the message after it. The queue may
 * belong to any service of the store's organization: the store delivers to it through that service's exchange.
 *
 * @param handlerQueue   the queue to send them to, e.g. {@code alice.audit.1.event.object_created.object_audit}
 * @param messageName    the name of the messages the queue receives, e.g. {@code object.created}
 * @param messageVersion their version
 * @param fromOffset     the first offset to send, 1 for everything
 * @param afterMessageId the last message the subscriber handled, or null
 */
public record ReplayRequested(String handlerQueue, String messageName, int messageVersion, long fromOffset,
                              String afterMessageId) implements Command {
}
