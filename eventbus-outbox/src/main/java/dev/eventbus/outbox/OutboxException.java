package dev.eventbus.outbox;

import dev.eventbus.core.EventBusException;

/**
 * The database refused or failed an outbox or inbox statement: the message names the table and the statement's
 * purpose, with the database's own message; the cause is the {@link java.sql.SQLException}. Usually transient (the
 * database is down or restarting): the caller's transaction must be rolled back and may be tried again.
 */
public class OutboxException extends EventBusException {

    public OutboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
