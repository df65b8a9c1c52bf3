package dev.eventbus.examples.eventstore;

import dev.eventbus.core.Event;

/**
 * The event store sent a handler queue every stored message it asked for.
 *
 * @param handlerQueue the queue the messages went to
 * @param requestId    the message id of the {@link ReplayRequested} answered
 * @param fromOffset   the first offset considered
 * @param lastOffset   the offset of the last message sent, or {@code fromOffset - 1} if none
 * @param replayed     how many messages were sent
 */
public record ReplayCompleted(String handlerQueue, String requestId, long fromOffset, long lastOffset, long replayed)
        implements Event {
}
