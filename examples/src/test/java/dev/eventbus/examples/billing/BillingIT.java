package dev.eventbus.examples.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.eventbus.core.Message;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Billing debits through the outbox and bookkeeping books through the inbox, against the local broker: on the default
 * embedded H2, and on PostgreSQL (a schema of the test's own on {@code EVENTBUS_TEST_POSTGRES_URL}, else
 * {@value #LOCAL_POSTGRES}, or its database {@code postgres} if it has no {@code test}; skipped, saying why, when no
 * server answers).
 */
@RabbitMqTest
class BillingIT {

    static final String LOCAL_POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void debitsAreBookedOnceEachAndARefusedDebitPublishesNothingOnH2(TestBroker broker) {
        String database = UUID.randomUUID().toString();
        scenario(broker, "jdbc:h2:mem:billing-" + database + ";DB_CLOSE_DELAY=-1",
                "jdbc:h2:mem:bookkeeping-" + database + ";DB_CLOSE_DELAY=-1");
    }

    @Test
    void debitsAreBookedOnceEachAndARefusedDebitPublishesNothingOnPostgres(TestBroker broker) throws SQLException {
        String url = System.getenv().getOrDefault("EVENTBUS_TEST_POSTGRES_URL", LOCAL_POSTGRES);
        String reason = null;
        try (Connection connection = DriverManager.getConnection(url)) {
            reason = connection.isValid(2) ? null : "the connection is not valid";
        } catch (SQLException e) {
            reason = e.getMessage();
            if ("3D000".equals(e.getSQLState()) && url.equals(LOCAL_POSTGRES)) {
                url = LOCAL_POSTGRES.replace("/test?", "/postgres?"); // a server without a database "test"
                reason = null;
            }
        }
        assumeTrue(reason == null, "no PostgreSQL at " + url + " (" + reason + "): set EVENTBUS_TEST_POSTGRES_URL to run this");
        String billingSchema = "billing_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String bookkeepingSchema = "bookkeeping_" + billingSchema.substring("billing_".length());
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.createStatement().execute("CREATE SCHEMA " + billingSchema);
            connection.createStatement().execute("CREATE SCHEMA " + bookkeepingSchema);
        }
        try {
            scenario(broker, url + "&currentSchema=" + billingSchema, url + "&currentSchema=" + bookkeepingSchema);
        } finally {
            try (Connection connection = DriverManager.getConnection(url)) {
                connection.createStatement().execute("DROP SCHEMA " + billingSchema + " CASCADE");
                connection.createStatement().execute("DROP SCHEMA " + bookkeepingSchema + " CASCADE");
            }
        }
    }

    private static HttpResponse<String> post(int port, String json) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/debits"))
                    .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new AssertionError("POST /api/debits failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void scenario(TestBroker broker, String billingUrl, String bookkeepingUrl) {
        ServiceBuses buses = new ServiceBuses(broker::bus);
        try (Bookkeeping bookkeeping = Bookkeeping.start(buses, bookkeepingUrl, -1);
             Billing billing = Billing.start(buses, billingUrl, 1_000, 0)) {
            assertEquals(900, billing.debit("acc-1", 100));
            assertEquals(700, billing.debit("acc-1", 200));
            assertThrows(Billing.InsufficientFundsException.class, () -> billing.debit("acc-1", 5_000));
            assertEquals(700, billing.balance("acc-1").orElseThrow(), "the refused debit rolled back");
            HttpResponse<String> debited = post(billing.port(), "{\"account_id\":\"acc-1\",\"amount_cents\":50}");
            assertEquals(200, debited.statusCode(), debited::body);
            assertTrue(debited.body().contains("\"balance_cents\":650"), debited.body());
            HttpResponse<String> refused = post(billing.port(), "{\"account_id\":\"acc-1\",\"amount_cents\":99999}");
            assertEquals(400, refused.statusCode(), refused::body);

            Await.until("three debits booked", TIMEOUT, () -> bookkeeping.journal("acc-1").get("entries").equals(3L),
                    () -> bookkeeping.journal("acc-1").toString());
            assertEquals(Map.of("account_id", "acc-1", "entries", 3L, "total_cents", 350L), bookkeeping.journal("acc-1"),
                    "the refused debit's event never left");
            assertEquals(0, billing.outbox().pending(), "the relay deleted every sent row");

            // a copy of an event already booked (as a relay crash between confirm and commit would send): booked once
            Message<AccountDebited> event = Message.of(new AccountDebited("acc-2", 10, 990));
            billing.bus().publish(event);
            billing.bus().publish(event);
            Await.until("the copy acknowledged as a duplicate", TIMEOUT, () -> bookkeeping.inbox().duplicatesSkipped() == 1,
                    () -> bookkeeping.inbox().duplicatesSkipped() + " duplicates, " + bookkeeping.journal("acc-2"));
            assertEquals(Map.of("account_id", "acc-2", "entries", 1L, "total_cents", 10L), bookkeeping.journal("acc-2"));
        }
    }
}
