package dev.eventbus.outbox;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.pipeline.EncodedPublisher;
import dev.eventbus.outbox.internal.BackOff;
import dev.eventbus.outbox.internal.SqlName;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an {@link Outbox}; only the data source and the bus are required. Each setter checks its value and says
 * its default; not thread-safe (build on one thread, then share the outbox).
 */
public final class OutboxBuilder {

    static final String DEFAULT_TABLE = "eventbus_outbox";
    static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    static final Duration LISTENING_POLL_INTERVAL = Duration.ofSeconds(1);

    final DataSource dataSource;
    final EncodedPublisher bus;
    SqlName table = SqlName.parse(DEFAULT_TABLE, "outbox");
    @Nullable Database database;
    int batchSize = 100;
    @Nullable Duration pollInterval;
    boolean listen = true;
    Duration confirmTimeout = Duration.ofSeconds(30);
    BackOff backOff = new BackOff(Duration.ofMillis(100), Duration.ofSeconds(5));
    RelayObserver observer = RelayObserver.NONE;

    OutboxBuilder(DataSource dataSource, EncodedPublisher bus) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.bus = Objects.requireNonNull(bus, "bus");
    }

    /**
     * The outbox table: {@code table} or {@code schema.table}, unquoted SQL identifiers (letters, digits, '_'). Default
     * is {@code eventbus_outbox}.
     *
     * @throws ConfigurationException if it is not a plain SQL identifier
     */
    public OutboxBuilder table(String table) {
        this.table = SqlName.parse(table, "outbox");
        return this;
    }

    /**
     * The database, when it must not be asked (e.g. to start while it is down). Default: learned from the first
     * connection used.
     */
    public OutboxBuilder database(Database database) {
        this.database = Objects.requireNonNull(database, "database");
        return this;
    }

    /**
     * How many rows one relay transaction locks and sends at most. Larger batches send faster when busy, and re-send
     * more after a relay crash (at most one batch). Default is 100.
     */
    public OutboxBuilder batchSize(int batchSize) {
        if (batchSize < 1 || batchSize > 10_000) {
            throw new ConfigurationException("outbox batch size " + batchSize + " is not between 1 and 10000");
        }
        this.batchSize = batchSize;
        return this;
    }

    /**
     * How long an idle relay waits before looking at the table again. Notifications (PostgreSQL) and commits made by
     * {@link Outbox#inTransaction} in this process wake it earlier. Default is 100 ms, or 1 s when the relay listens
     * for PostgreSQL notifications.
     */
    public OutboxBuilder pollInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigurationException("outbox poll interval " + interval + " is not between 1 ms and 10 minutes");
        }
        this.pollInterval = interval;
        return this;
    }

    /**
     * Whether, on PostgreSQL, {@code publish} sends a {@code NOTIFY} with the transaction and the relay {@code LISTEN}s
     * for it (through pgjdbc's {@code PGConnection.getNotifications}), so that an idle relay sends within milliseconds of
     * the commit. Costs one statement per publish and a connection per relay. Ignored on other databases. Default is
     * true.
     */
    public OutboxBuilder listen(boolean listen) {
        this.listen = listen;
        return this;
    }

    /**
     * How long the relay waits for a batch's confirms; messages unconfirmed by then stay in the table and are sent again
     * (the broker may then hold them twice). Default is 30 s.
     */
    public OutboxBuilder confirmTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ConfigurationException("outbox confirm timeout " + timeout + " is not positive");
        }
        this.confirmTimeout = timeout;
        return this;
    }

    /**
     * The relay's back-off while the bus or the database fails: the first pause, doubling up to the maximum. A message
     * that failed waits the same way before it is tried again (per row). Default is 100 ms up to 5 s.
     */
    public OutboxBuilder backOff(Duration initial, Duration max) {
        try {
            this.backOff = new BackOff(initial, max);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("outbox " + e.getMessage(), e);
        }
        return this;
    }

    /** Receives what the relay does (batches, confirms, failures), on the relay's thread. Default is none. */
    public OutboxBuilder observer(RelayObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        return this;
    }

    /** The outbox. Opens no connection: the database is asked on first use. */
    public Outbox build() {
        return new Outbox(this);
    }
}
