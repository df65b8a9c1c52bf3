package dev.eventbus.outbox;

import dev.eventbus.core.Message;
import java.sql.Connection;

/**
 * A handler whose database work runs in the inbox's transaction: do it on the connection given, which also records
 * that this handler handled this message. Do not commit, roll back or close the connection. Same contract as
 * {@link dev.eventbus.core.MessageHandler}: return to commit and acknowledge; throw to roll back and retry; throw a
 * {@link dev.eventbus.core.NonRetryableException} to roll back and dead-letter.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface InboxHandler<T> {

    /**
     * Handles one message, once per handler and message id.
     *
     * @throws Exception to roll back (the message is not recorded) and let the bus retry it
     */
    void handle(Message<T> message, Connection connection) throws Exception;
}
