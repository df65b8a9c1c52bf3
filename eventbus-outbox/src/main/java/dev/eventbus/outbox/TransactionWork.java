package dev.eventbus.outbox;

import java.sql.Connection;

/**
 * Database work done in one transaction by {@link Outbox#inTransaction}: the business's own statements and the
 * messages it publishes through the outbox, on the connection given. Do not commit, roll back or close it.
 */
@FunctionalInterface
public interface TransactionWork {

    /**
     * Does the work.
     *
     * @throws Exception to roll the transaction back
     */
    void run(Connection connection) throws Exception;
}
