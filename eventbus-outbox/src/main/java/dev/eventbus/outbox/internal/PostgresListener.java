package dev.eventbus.outbox.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the relay when a transaction that wrote outbox rows commits on PostgreSQL: it holds one connection of its own
 * that {@code LISTEN}s on the table's channel and waits in pgjdbc's {@link PGConnection#getNotifications(int)}. When
 * the connection fails (a database restart) it wakes the relay (notifications may have been missed), and connects
 * again with a back-off. One thread of its own ({@code eventbus-outbox-listener-<table>}); loaded only when the
 * PostgreSQL driver is on the class path.
 */
final class PostgresListener {

    private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);
    private static final int WAIT_MILLIS = 500;

    private final DataSource dataSource;
    private final SqlName table;
    private final Runnable wake;
    private final BackOff backOff;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    PostgresListener(DataSource dataSource, SqlName table, Runnable wake, BackOff backOff) {
        this.dataSource = dataSource;
        this.table = table;
        this.wake = wake;
        this.backOff = backOff;
        this.thread = new Thread(this::listen, "eventbus-outbox-listener-" + table);
        this.thread.setDaemon(true);
    }

    /** Whether pgjdbc is on the class path (else the relay polls). */
    static boolean driverPresent() {
        try {
            Class.forName("org.postgresql.PGConnection", false, PostgresListener.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    void start() {
        thread.start();
    }

    void stop(Duration timeout) {
        running = false;
        stopped.countDown();
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void listen() {
        int failures = 0;
        while (running) {
            Connection connection = null;
            try {
                connection = dataSource.getConnection();
                PGConnection notifications = connection.unwrap(PGConnection.class);
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + table.channel());
                }
                if (failures > 0) {
                    log.info("outbox relay of {} listens for notifications again", table);
                }
                failures = 0;
                wake.run();
                while (running) {
                    PGNotification[] received = notifications.getNotifications(WAIT_MILLIS);
                    if (received != null && received.length > 0) {
                        wake.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    break;
                }
                failures++;
                wake.run();
                if (failures == 1) {
                    log.warn("outbox relay of {} lost its notification connection ({}); polling meanwhile, listening again "
                            + "when the database answers", table, e.getMessage());
                }
                pause(backOff.after(failures));
            } finally {
                close(connection);
            }
        }
    }

    private void pause(Duration pause) {
        try {
            stopped.await(pause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static void close(@Nullable Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // the connection is broken already: nothing to release
            }
        }
    }
}
