package dev.eventbus.outbox.internal;

import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's wake-ups from the database, where it has them: on PostgreSQL with pgjdbc, {@code LISTEN/NOTIFY}
 * ({@link PostgresListener}); elsewhere none (the relay polls). This class never touches a pgjdbc type itself, so it
 * loads without the driver. Thread-safe.
 */
public final class Notifications {

    private static final Logger log = LoggerFactory.getLogger(Notifications.class);

    private final Object listener;

    private Notifications(Object listener) {
        this.listener = listener;
    }

    /**
     * Starts listening on PostgreSQL for the table's notifications, or returns null when the driver is missing (logged).
     */
    public static @org.jspecify.annotations.Nullable Notifications listen(DataSource dataSource, SqlName table, Runnable wake, BackOff backOff) {
        if (!PostgresListener.driverPresent()) {
            log.info("outbox relay of {} polls: the PostgreSQL driver (org.postgresql:postgresql) is not on the class path "
                    + "for LISTEN/NOTIFY", table);
            return null;
        }
        PostgresListener listener = new PostgresListener(dataSource, table, wake, backOff);
        listener.start();
        return new Notifications(listener);
    }

    /** Stops listening and closes the connection. */
    public void stop(Duration timeout) {
        ((PostgresListener) listener).stop(timeout);
    }
}
