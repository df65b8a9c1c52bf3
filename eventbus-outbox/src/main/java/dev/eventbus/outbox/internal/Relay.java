package dev.eventbus.outbox.internal;

import dev.eventbus.core.pipeline.EncodedPublisher;
import dev.eventbus.outbox.RelayObserver;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves rows from the outbox table to the bus: in one transaction per batch, it locks waiting rows (skipping those
 * another relay holds), sends them, waits for the confirms, deletes the confirmed rows and postpones the failed ones,
 * then commits. A crash before the commit leaves every row of the batch in place, locks released, for the next relay:
 * messages are sent at least once, and a crash re-sends at most one batch.
 *
 * <p><b>Threads.</b> {@link #start()} runs the loop on one thread of its own ({@code eventbus-outbox-relay-<table>});
 * {@link #relayOnce()} runs one batch on the caller's. The database connection is used by one batch at a time (a lock
 * guards it); the counters are atomic. When a batch sends nothing, the loop waits for {@link #wake()} (a notification,
 * a commit in this process) or the poll interval; when the bus fails a whole batch, it backs off, doubling the pause up
 * to the maximum, and resets it after a batch that went through.
 */
public final class Relay {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    /**
     * What one batch did.
     *
     * @param claimed    rows locked
     * @param sent       rows confirmed and deleted
     * @param failed     rows whose send failed (postponed)
     * @param firstError why the first of them failed, or null
     */
    public record Pass(int claimed, int sent, int failed, @Nullable String firstError) {
    }

    private final DataSource dataSource;
    private final OutboxTable table;
    private final EncodedPublisher bus;
    private final int batchSize;
    private final Duration pollInterval;
    private final Duration confirmTimeout;
    private final BackOff backOff;
    private final RelayObserver observer;

    private final Semaphore wakeUps = new Semaphore(0);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object connectionLock = new Object();
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private @Nullable Connection connection;
    private volatile @Nullable Thread thread;
    private volatile boolean running;
    private int failuresInARow;

    public Relay(DataSource dataSource, OutboxTable table, EncodedPublisher bus, int batchSize, Duration pollInterval,
                 Duration confirmTimeout, BackOff backOff, RelayObserver observer) {
        this.dataSource = dataSource;
        this.table = table;
        this.bus = bus;
        this.batchSize = batchSize;
        this.pollInterval = pollInterval;
        this.confirmTimeout = confirmTimeout;
        this.backOff = backOff;
        this.observer = observer == RelayObserver.NONE ? observer : new GuardedObserver(observer, table.name());
    }

    /** Starts the loop on a thread of its own. Idempotent. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        Thread loop = new Thread(this::loop, "eventbus-outbox-relay-" + table.name());
        loop.setDaemon(true);
        thread = loop;
        loop.start();
        log.info("outbox relay started on table {} ({}), batches of {}", table.name(), table.database(), batchSize);
    }

    /** Whether {@link #start()} was called and {@link #stop} not yet. */
    public boolean isRunning() {
        return running;
    }

    /** Makes an idle loop look for rows now. Cheap; callable from any thread. */
    public void wake() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    /**
     * Stops the loop: the batch in progress finishes (its confirms are awaited up to the confirm timeout), then the
     * thread ends and the connection closes. Idempotent.
     */
    public void stop(Duration timeout) {
        Thread loop;
        synchronized (this) {
            running = false;
            loop = thread;
            thread = null;
        }
        stopped.countDown();
        wake();
        if (loop != null && loop != Thread.currentThread()) {
            try {
                loop.join(timeout.toMillis());
                if (loop.isAlive()) {
                    log.warn("outbox relay of {} did not stop within {} ms; interrupting it", table.name(), timeout.toMillis());
                    loop.interrupt();
                    loop.join(1_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (connectionLock) {
            closeConnection();
        }
    }

    /** How many messages this relay sent and deleted. */
    public long relayed() {
        return relayed.get();
    }

    /** How many sends failed (each postponed its row). */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    private void loop() {
        while (running) {
            try {
                Pass pass = relayOnce();
                if (pass.failed() > 0 && pass.sent() == 0) {
                    if (++failuresInARow == 1) {
                        log.warn("outbox relay of {} cannot send (the broker may be down): {}; the rows wait, trying again "
                                + "every {} ms at most", table.name(), pass.firstError(), backOff.max().toMillis());
                    }
                    pause(backOff.after(failuresInARow), "the bus failed a whole batch");
                } else {
                    resetFailures();
                    if (pass.sent() == 0 && pass.failed() == 0) {
                        awaitWork();
                    }
                }
            } catch (SQLException e) {
                failuresInARow++;
                Duration pause = backOff.after(failuresInARow);
                if (failuresInARow == 1) {
                    log.warn("outbox relay of {} cannot use the database ({}); trying again every {} ms at most", table.name(),
                            e.getMessage(), backOff.max().toMillis());
                } else {
                    log.debug("outbox relay of {}: database still failing: {}", table.name(), e.getMessage());
                }
                pause(pause, null);
            } catch (InterruptedException e) {
                if (running) {
                    Thread.currentThread().interrupt();
                    log.warn("outbox relay of {} interrupted; it stops", table.name());
                }
                return;
            } catch (RuntimeException e) {
                failuresInARow++;
                log.error("outbox relay of {} failed unexpectedly; going on after a pause", table.name(), e);
                pause(backOff.after(failuresInARow), null);
            }
        }
    }

    private void resetFailures() {
        if (failuresInARow > 0) {
            log.info("outbox relay of {} works again", table.name());
            failuresInARow = 0;
        }
    }

    private void awaitWork() throws InterruptedException {
        // a wake-up that came during the last pass is kept (the pass may have missed its rows); several collapse into one
        if (wakeUps.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS)) {
            wakeUps.drainPermits();
        }
    }

    private void pause(Duration pause, @Nullable String why) {
        if (why != null) {
            log.debug("outbox relay of {} backs off {} ms: {}", table.name(), pause.toMillis(), why);
        }
        try {
            stopped.await(pause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends one batch of waiting rows, on the calling thread: claim, send, await confirms, delete and postpone, commit.
     *
     * @throws SQLException         if the database failed; the batch's transaction is rolled back (rows it sent stay and
     *                              are sent again later) and the connection is replaced next time
     * @throws InterruptedException if interrupted while waiting for confirms (the transaction is rolled back)
     */
    public Pass relayOnce() throws SQLException, InterruptedException {
        synchronized (connectionLock) {
            Connection c = connection();
            try {
                List<OutboxRow> claimed = table.claim(c, batchSize, Instant.now());
                if (claimed.isEmpty()) {
                    c.commit();
                    return new Pass(0, 0, 0, null);
                }
                List<OutboxRow> rows = table.inKeyOrder(c, claimed);
                observer.claimed(rows.size());
                BatchSender.Result result = new BatchSender(bus, observer).send(rows, confirmTimeout);
                table.delete(c, result.confirmed());
                Map<OutboxRow, Instant> until = new LinkedHashMap<>();
                Map<OutboxRow, String> errors = new LinkedHashMap<>();
                Instant now = Instant.now();
                for (Map.Entry<OutboxRow, Throwable> failed : result.failed().entrySet()) {
                    until.put(failed.getKey(), now.plus(backOff.after(failed.getKey().attempts() + 1)));
                    errors.put(failed.getKey(), String.valueOf(failed.getValue()));
                }
                table.postpone(c, until, errors);
                c.commit();
                relayed.addAndGet(result.confirmed().size());
                failedAttempts.addAndGet(result.failed().size());
                observer.committed(result.confirmed().size(), result.failed().size());
                String firstError = null;
                if (!result.failed().isEmpty()) {
                    Map.Entry<OutboxRow, Throwable> first = result.failed().entrySet().iterator().next();
                    firstError = first.getKey().message().describe() + ": " + first.getValue();
                    log.debug("outbox relay of {}: {} of {} messages not sent, first {}", table.name(), result.failed().size(),
                            rows.size(), firstError);
                }
                return new Pass(claimed.size(), result.confirmed().size(), result.failed().size(), firstError);
            } catch (SQLException | InterruptedException | RuntimeException e) {
                rollbackQuietly(c);
                if (e instanceof SQLException) {
                    closeConnection();
                }
                throw e;
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection opened = dataSource.getConnection();
            try {
                opened.setAutoCommit(false);
                opened.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            } catch (SQLException e) {
                opened.close();
                throw e;
            }
            connection = opened;
        }
        return connection;
    }

    private void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            log.debug("outbox relay of {}: rollback failed: {}", table.name(), e.getMessage());
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("outbox relay of {}: closing the connection failed: {}", table.name(), e.getMessage());
            }
            connection = null;
        }
    }
}
