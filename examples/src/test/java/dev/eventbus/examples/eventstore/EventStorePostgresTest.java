package dev.eventbus.examples.eventstore;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;

/**
 * The event store on PostgreSQL, when one is reachable: {@code EVENTSTORE_TEST_JDBC_URL}, else
 * {@value #LOCAL} (a local server that trusts local connections). Skipped, saying why, when none answers: CI does not
 * promise a PostgreSQL server. Each test uses a table of its own and drops it.
 */
class EventStorePostgresTest extends EventStoreContract {

    static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&connectTimeout=2";

    private static String url;

    @BeforeAll
    static void findPostgres() {
        String configured = System.getenv("EVENTSTORE_TEST_JDBC_URL");
        url = configured == null || configured.isBlank() ? LOCAL : configured;
        String reason = null;
        try (Connection connection = DriverManager.getConnection(url)) {
            if (!connection.isValid(2)) {
                reason = "the connection is not valid";
            }
        } catch (SQLException e) {
            reason = e.getMessage();
        }
        assumeTrue(reason == null, "no PostgreSQL reachable at " + EventStore.redact(url) + " (" + reason
                + "): set EVENTSTORE_TEST_JDBC_URL=jdbc:postgresql://host:5432/db?user=...&password=... to run these tests");
    }

    @Override
    EventStore open() {
        return EventStore.open(url, "events_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }
}
