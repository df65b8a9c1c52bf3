package dev.eventbus.rabbitmq.internal.connection;

import dev.eventbus.rabbitmq.ConnectionRecovery;
import dev.eventbus.rabbitmq.internal.publishing.PublisherChannel;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.TopologyRecoveryException;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exception handler and recovery listener of one connection: instead of the client's ERROR line (with a stack
 * trace) for each failed reconnection attempt and each channel or topology object it could not recover, it collects
 * what the client reports during one recovery episode and logs one WARN when the connection has recovered, then hands
 * a {@link ConnectionRecovery} to the callbacks. Every other report goes to the client's default handling.
 *
 * <p>Thread-safe: the client calls in from its connection and recovery threads; the episode is guarded by {@code this}.
 */
final class RecoveryReporter extends DefaultExceptionHandler implements RecoveryListener {

    private static final Logger log = LoggerFactory.getLogger(RecoveryReporter.class);
    private static final int MAX_PROBLEMS = 20;

    private final String connectionName;
    private final List<Consumer<ConnectionRecovery>> callbacks;
    private long lostAt;
    private String lostBecause = "unknown";
    private int failedAttempts;
    private final List<String> problems = new ArrayList<>();
    private int moreProblems;

    RecoveryReporter(String connectionName, List<Consumer<ConnectionRecovery>> callbacks) {
        this.connectionName = connectionName;
        this.callbacks = callbacks;
    }

    /** Registered on the connection: the start of an episode. */
    void connectionLost(ShutdownSignalException cause) {
        if (cause.isInitiatedByApplication()) {
            return;
        }
        String why = cause.getCause() != null ? describe(cause.getCause()) : PublisherChannel.describe(cause);
        synchronized (this) {
            lostAt = System.nanoTime();
            lostBecause = why;
            failedAttempts = 0;
            problems.clear();
            moreProblems = 0;
        }
        log.info("connection {} lost: {}; automatic recovery reconnects", connectionName, why);
    }

    /**
     * The client reports here the I/O error that ends a connection (a reset, a failed write), as a WARN or an ERROR with
     * a stack trace, besides the shutdown it causes: the loss is logged once, by {@link #connectionLost}. Other errors
     * keep the client's handling.
     */
    @Override
    public void handleUnexpectedConnectionDriverException(Connection conn, Throwable exception) {
        if (exception instanceof java.io.IOException) {
            log.debug("connection {}: connection driver error", connectionName, exception);
        } else {
            super.handleUnexpectedConnectionDriverException(conn, exception);
        }
    }

    @Override
    public void handleConnectionRecoveryException(Connection conn, Throwable exception) {
        synchronized (this) {
            failedAttempts++;
            if (failedAttempts == 1) {
                problem("reconnecting failed: " + describe(exception) + " (and again every recovery interval until it works)");
            }
        }
        log.debug("connection {}: a recovery attempt failed", connectionName, exception);
    }

    @Override
    public void handleChannelRecoveryException(Channel channel, Throwable exception) {
        synchronized (this) {
            problem("channel " + channel.getChannelNumber() + " not recovered: " + describe(exception));
        }
        log.debug("connection {}: channel {} not recovered", connectionName, channel.getChannelNumber(), exception);
    }

    @Override
    public void handleTopologyRecoveryException(Connection conn, Channel channel, TopologyRecoveryException exception) {
        synchronized (this) {
            problem("topology not recovered: " + describe(exception));
        }
        log.debug("connection {}: topology not recovered", connectionName, exception);
    }

    private void problem(String text) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(text);
        } else {
            moreProblems++;
        }
    }

    @Override
    public void handleRecoveryStarted(Recoverable recoverable) {
        // the episode started when the connection was lost
    }

    @Override
    public void handleRecovery(Recoverable recoverable) {
        ConnectionRecovery recovery;
        synchronized (this) {
            List<String> reported = new ArrayList<>(problems);
            if (moreProblems > 0) {
                reported.add("and " + moreProblems + " more");
            }
            recovery = new ConnectionRecovery(connectionName, lostBecause, failedAttempts,
                    Duration.ofNanos(lostAt == 0 ? 0 : System.nanoTime() - lostAt), reported);
            lostAt = 0;
            problems.clear();
            moreProblems = 0;
        }
        log.warn("connection {} recovered after {} ms and {} failed attempt(s); it was lost because {}{}", connectionName,
                recovery.took().toMillis(), recovery.failedAttempts(), recovery.lostBecause(),
                recovery.problems().isEmpty() ? "; channels and consumers are back" : "; the client reported: "
                        + String.join("; ", recovery.problems()));
        for (Consumer<ConnectionRecovery> callback : callbacks) {
            try {
                callback.accept(recovery);
            } catch (RuntimeException e) {
                log.warn("a recovery callback of connection {} failed", connectionName, e);
            }
        }
    }

    private static String describe(Throwable exception) {
        Throwable root = exception;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = exception.getMessage();
        if (root != exception && root.getMessage() != null) {
            text = (text == null ? "" : text + ": ") + root.getMessage();
        }
        return exception.getClass().getSimpleName() + (text == null ? "" : " " + text);
    }
}
