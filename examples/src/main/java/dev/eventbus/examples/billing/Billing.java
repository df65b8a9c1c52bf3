package dev.eventbus.examples.billing;

import dev.eventbus.examples.launch.DataSources;
import dev.eventbus.examples.launch.JsonHttpServer;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.outbox.Outbox;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The service {@value #SERVICE}: keeps account balances in its database and publishes {@link AccountDebited} through a
 * transactional outbox, so an event leaves if and only if its debit committed. The debit and the event are written in
 * one transaction; the outbox's relay (in this process) sends the event after the commit, with confirms, in order per
 * account (the account is the ordering key). A debit the balance does not cover rolls back: no event.
 *
 * <p>HTTP: {@code POST /api/debits} {@code {"account_id": "acc-1", "amount_cents": 250}} answers the new balance (400
 * when the balance is short); {@code GET /api/accounts?id=acc-1} the balance. Accounts open with
 * {@code BILLING_OPENING_BALANCE} cents on first use. Thread-safe.
 */
public final class Billing implements AutoCloseable {

    /** The service name, hence the exchange {@code <organization>.billing}. */
    public static final String SERVICE = "billing";
    /** The default database: in memory, for as long as the process runs. */
    public static final String DEFAULT_JDBC_URL = "jdbc:h2:mem:billing;DB_CLOSE_DELAY=-1";

    /** A debit the balance does not cover: rolled back, nothing published. */
    public static final class InsufficientFundsException extends dev.eventbus.core.EventBusException {
        InsufficientFundsException(String accountId, long amountCents) {
            super("account " + accountId + " cannot be debited " + amountCents + " cents: the balance is short");
        }
    }

    private final JdbcConnectionPool dataSource;
    private final RabbitMqEventBus bus;
    private final Outbox outbox;
    private final long openingBalance;
    private final AtomicLong debits = new AtomicLong();
    private JsonHttpServer http;

    private Billing(ServiceBuses buses, String jdbcUrl, long openingBalance) {
        this.dataSource = DataSources.pooled(jdbcUrl);
        this.openingBalance = openingBalance;
        // the validator checks account.debited against its schema when the outbox writes it: a bad event fails the debit
        this.bus = buses.bus(SERVICE, b -> b.validator(PipelineSchemas.validator()));
        this.outbox = Outbox.builder(dataSource, bus).build();
    }

    /**
     * Creates the tables if needed, declares the exchange and starts the relay (and HTTP when {@code port >= 0}; 0 for any
     * free port).
     */
    public static Billing start(ServiceBuses buses, String jdbcUrl, long openingBalance, int port) {
        Billing billing = new Billing(buses, jdbcUrl, openingBalance);
        try {
            billing.createTables();
            billing.bus.admin().configure();
            billing.outbox.start();
            if (port >= 0) {
                billing.http = JsonHttpServer.bind("billing", port)
                        .route("POST", "/api/debits", request -> {
                            Map<String, Object> body = request.json();
                            String account = String.valueOf(body.get("account_id"));
                            long amount = ((Number) body.getOrDefault("amount_cents", 0)).longValue();
                            try {
                                return JsonHttpServer.Response.ok(Map.of("account_id", account, "balance_cents",
                                        billing.debit(account, amount)));
                            } catch (InsufficientFundsException e) {
                                throw new JsonHttpServer.BadRequestException(e.getMessage());
                            }
                        })
                        .route("GET", "/api/accounts", request -> {
                            String account = request.query().getOrDefault("id", "");
                            return JsonHttpServer.Response.ok(Map.of("account_id", account, "balance_cents",
                                    billing.balance(account).orElse(openingBalance)));
                        })
                        .start();
            }
            return billing;
        } catch (RuntimeException e) {
            billing.close();
            throw e;
        }
    }

    private void createTables() {
        outbox.createTable();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS accounts (account_id VARCHAR(64) PRIMARY KEY, "
                    + "balance_cents BIGINT NOT NULL CHECK (balance_cents >= 0))");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the accounts table: " + e.getMessage(), e);
        }
    }

    // tag::debit[]
    /**
     * Debits an account and publishes {@link AccountDebited}, in one transaction.
     *
     * @return the new balance
     * @throws InsufficientFundsException if the balance is short (nothing changed, nothing published)
     */
    public long debit(String accountId, long amountCents) {
        long[] balance = new long[1];
        outbox.inTransaction(connection -> {
            openIfNew(connection, accountId);
            try (PreparedStatement debit = connection.prepareStatement("UPDATE accounts SET balance_cents = balance_cents - ? "
                    + "WHERE account_id = ? AND balance_cents >= ?")) {
                debit.setLong(1, amountCents);
                debit.setString(2, accountId);
                debit.setLong(3, amountCents);
                if (debit.executeUpdate() == 0) {
                    throw new InsufficientFundsException(accountId, amountCents);      // rolls back: no event
                }
            }
            balance[0] = balance(connection, accountId).orElseThrow();
            // in the same transaction; sent by the relay after the commit, in order per account
            outbox.publishOrdered(connection, accountId, new AccountDebited(accountId, amountCents, balance[0]));
        });
        debits.incrementAndGet();
        return balance[0];
    }
    // end::debit[]

    private void openIfNew(Connection connection, String accountId) throws SQLException {
        if (balance(connection, accountId).isEmpty()) {
            try (PreparedStatement open = connection.prepareStatement(
                    "INSERT INTO accounts (account_id, balance_cents) VALUES (?, ?)")) {
                open.setString(1, accountId);
                open.setLong(2, openingBalance);
                open.executeUpdate();
            }
        }
    }

    /** An account's balance, if it is open. */
    public OptionalLong balance(String accountId) {
        try (Connection connection = dataSource.getConnection()) {
            return balance(connection, accountId);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read account " + accountId + ": " + e.getMessage(), e);
        }
    }

    private static OptionalLong balance(Connection connection, String accountId) throws SQLException {
        try (PreparedStatement read = connection.prepareStatement("SELECT balance_cents FROM accounts WHERE account_id = ?")) {
            read.setString(1, accountId);
            try (ResultSet result = read.executeQuery()) {
                return result.next() ? OptionalLong.of(result.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** The outbox: its backlog ({@code pending()}), its table. */
    public Outbox outbox() {
        return outbox;
    }

    /** The service's bus. */
    public RabbitMqEventBus bus() {
        return bus;
    }

    /** The HTTP port, or -1 without HTTP. */
    public int port() {
        return http == null ? -1 : http.port();
    }

    /** Stops HTTP, the relay (a batch in progress finishes), the bus and the pool. */
    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        outbox.stop();
        bus.stop();
        dataSource.dispose();
    }
}
