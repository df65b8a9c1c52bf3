package dev.eventbus.outbox;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.outbox.internal.SqlName;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an {@link Inbox}; only the data source is required. Not thread-safe (build on one thread, then share the
 * inbox).
 */
public final class InboxBuilder {

    final DataSource dataSource;
    SqlName table = SqlName.parse("eventbus_inbox", "inbox");
    @Nullable Database database;
    Duration retention = Duration.ofDays(7);
    Duration purgeInterval = Duration.ofHours(1);

    InboxBuilder(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * The inbox table: {@code table} or {@code schema.table}, unquoted SQL identifiers. Default is {@code eventbus_inbox}.
     *
     * @throws ConfigurationException if it is not a plain SQL identifier
     */
    public InboxBuilder table(String table) {
        this.table = SqlName.parse(table, "inbox");
        return this;
    }

    /** The database, when it must not be asked. Default: learned from the first connection used. */
    public InboxBuilder database(Database database) {
        this.database = Objects.requireNonNull(database, "database");
        return this;
    }

    /**
     * How long a (handler, message id) record is kept: a copy arriving later runs the handler again. Longer than any
     * redelivery can take. Default is 7 days.
     */
    public InboxBuilder retention(Duration retention) {
        if (retention.isNegative() || retention.isZero()) {
            throw new ConfigurationException("inbox retention " + retention + " is not positive");
        }
        this.retention = retention;
        return this;
    }

    /**
     * How often the inbox purges expired records on its own thread; {@link Duration#ZERO} to purge only when
     * {@link Inbox#purgeExpired()} is called (by a job of yours). Default is 1 hour.
     */
    public InboxBuilder purgeInterval(Duration interval) {
        if (interval.isNegative()) {
            throw new ConfigurationException("inbox purge interval " + interval + " is negative");
        }
        this.purgeInterval = interval;
        return this;
    }

    /** The inbox. Opens no connection: the database is asked on first use. */
    public Inbox build() {
        return new Inbox(this);
    }
}
