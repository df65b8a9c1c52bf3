package dev.eventbus.outbox.internal;

import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.outbox.RelayObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's {@link RelayObserver}, with every exception it throws logged and dropped: an observer must never make the
 * relay roll back a batch it sent (that would send it again). Thread-safe if the observer is.
 */
final class GuardedObserver implements RelayObserver {

    private static final Logger log = LoggerFactory.getLogger(GuardedObserver.class);

    private final RelayObserver observer;
    private final SqlName table;

    GuardedObserver(RelayObserver observer, SqlName table) {
        this.observer = observer;
        this.table = table;
    }

    @Override
    public void claimed(int rows) {
        guard(() -> observer.claimed(rows));
    }

    @Override
    public void confirmed(EncodedMessage message) {
        guard(() -> observer.confirmed(message));
    }

    @Override
    public void failed(EncodedMessage message, Throwable cause) {
        guard(() -> observer.failed(message, cause));
    }

    @Override
    public void committed(int sent, int failed) {
        guard(() -> observer.committed(sent, failed));
    }

    private void guard(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("outbox relay observer of {} failed; ignored", table, e);
        }
    }
}
