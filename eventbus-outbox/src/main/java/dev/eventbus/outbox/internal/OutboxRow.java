package dev.eventbus.outbox.internal;

import dev.eventbus.core.pipeline.EncodedMessage;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One waiting row of the outbox table, as the relay claimed it. Immutable.
 *
 * @param id          the row's identity: the order rows were written in
 * @param orderingKey the key whose rows are sent in {@code id} order, or null
 * @param attempts    how many times sending it failed so far
 * @param message     the message to send, exactly as the publish pipeline encoded it
 */
public record OutboxRow(long id, @Nullable String orderingKey, int attempts, EncodedMessage message) {
    public OutboxRow {
        Objects.requireNonNull(message, "message");
    }
}
