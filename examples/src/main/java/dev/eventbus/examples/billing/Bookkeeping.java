package dev.eventbus.examples.billing;

import dev.eventbus.core.Message;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.launch.DataSources;
import dev.eventbus.examples.launch.JsonHttpServer;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.outbox.Inbox;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The service {@value #SERVICE}: books every {@link AccountDebited} of the billing service into its journal, once per
 * event, through an idempotent inbox: the journal entry and the inbox's record of (handler, message id) commit in one
 * transaction, so a redelivered or re-sent event (after a relay crash, say) is acknowledged without a second entry.
 *
 * <p>HTTP: {@code GET /api/journal?account=acc-1} the account's entries count and total. Thread-safe.
 */
public final class Bookkeeping implements AutoCloseable {

    /** The service name. */
    public static final String SERVICE = "bookkeeping";
    /** The handler's name: the inbox keys its records by it. */
    public static final String HANDLER = "book_debit";
    /** The default database: in memory, for as long as the process runs. */
    public static final String DEFAULT_JDBC_URL = "jdbc:h2:mem:bookkeeping;DB_CLOSE_DELAY=-1";

    private final JdbcConnectionPool dataSource;
    private final Inbox inbox;
    private final RabbitMqEventBus bus;
    private JsonHttpServer http;

    private Bookkeeping(ServiceBuses buses, String jdbcUrl) {
        this.dataSource = DataSources.pooled(jdbcUrl);
        this.inbox = Inbox.builder(dataSource).build();
        // tag::inbox[]
        this.bus = buses.bus(SERVICE, b -> b.validator(PipelineSchemas.validator())
                .subscribe(Subscription.handling(AccountDebited.class, HANDLER, inbox.idempotent(this::book))
                        .from(Billing.SERVICE)));
        // end::inbox[]
    }

    /** Creates the tables if needed, declares the queues and starts consuming (and HTTP when {@code port >= 0}). */
    public static Bookkeeping start(ServiceBuses buses, String jdbcUrl, int port) {
        Bookkeeping bookkeeping = new Bookkeeping(buses, jdbcUrl);
        try {
            bookkeeping.inbox.createTable();
            try (Connection connection = bookkeeping.dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS journal (message_id VARCHAR(36) NOT NULL, "
                        + "account_id VARCHAR(64) NOT NULL, amount_cents BIGINT NOT NULL, balance_cents BIGINT NOT NULL)");
            }
            bookkeeping.bus.admin().configure();
            bookkeeping.bus.start();
            if (port >= 0) {
                bookkeeping.http = JsonHttpServer.bind("bookkeeping", port)
                        .route("GET", "/api/journal", request -> JsonHttpServer.Response.ok(
                                bookkeeping.journal(request.query().getOrDefault("account", ""))))
                        .start();
            }
            return bookkeeping;
        } catch (SQLException e) {
            bookkeeping.close();
            throw new IllegalStateException("cannot create the journal table: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            bookkeeping.close();
            throw e;
        }
    }

    // tag::book[]
    /** Books one debit, on the inbox's connection: the entry commits with the inbox's record, or neither does. */
    private void book(Message<AccountDebited> message, Connection connection) throws SQLException {
        try (PreparedStatement entry = connection.prepareStatement(
                "INSERT INTO journal (message_id, account_id, amount_cents, balance_cents) VALUES (?, ?, ?, ?)")) {
            entry.setString(1, message.id());
            entry.setString(2, message.payload().accountId());
            entry.setLong(3, message.payload().amountCents());
            entry.setLong(4, message.payload().balanceCents());
            entry.executeUpdate();
        }
    }
    // end::book[]

    /** An account's journal: {@code entries} and {@code total_cents}. */
    public Map<String, Object> journal(String accountId) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement read = connection.prepareStatement(
                "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM journal WHERE account_id = ?")) {
            read.setString(1, accountId);
            try (ResultSet result = read.executeQuery()) {
                result.next();
                return Map.of("account_id", accountId, "entries", result.getLong(1), "total_cents", result.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the journal of " + accountId + ": " + e.getMessage(), e);
        }
    }

    /** The inbox (duplicates acknowledged without booking). */
    public Inbox inbox() {
        return inbox;
    }

    /** Stops HTTP, consuming (running handlers finish), the inbox's purge and the pool. */
    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        bus.stop();
        inbox.close();
        dataSource.dispose();
    }
}
