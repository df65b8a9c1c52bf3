package dev.eventbus.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.testkit.Await;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The outbox's contract on the local PostgreSQL, in a schema of each test's own; and LISTEN/NOTIFY. */
class OutboxPostgresIT extends OutboxContract {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Test
    void withoutNotificationsTheRelayPollsAndPublishSendsNoNotify() throws Exception {
        Outbox relaying = outbox(b -> b.listen(false).pollInterval(Duration.ofMillis(50)));
        relaying.start();
        Outbox writing = outbox(b -> b.listen(false));
        try (Connection connection = db.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            connection.createStatement().execute("LISTEN " + db.schema() + "_outbox");
            writing.publish(connection, new AccountDebited("a-1", 1, 1));
            connection.commit();
            Await.until("the message delivered by the poll", TIMEOUT, () -> received.size() == 1, received::toString);
            org.postgresql.PGNotification[] notifications = connection.unwrap(org.postgresql.PGConnection.class).getNotifications(200);
            assertEquals(0, notifications == null ? 0 : notifications.length, "publish sent no NOTIFY");
        }
        assertEquals(0, db.count("SELECT COUNT(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN " + db.schema() + "%'"),
                "no relay listens");
    }

    @Test
    void aNotificationWakesTheRelayWhenAnotherProcessCommits() throws Exception {
        Outbox relaying = outbox(b -> b.pollInterval(Duration.ofMinutes(5)));
        relaying.start();
        // another service instance: its own outbox object, its own connection, no relay of its own
        Outbox writing = outbox(b -> b);
        Await.until("the relay listening", TIMEOUT, () -> db.count("SELECT COUNT(*) FROM pg_stat_activity WHERE query = 'LISTEN "
                + db.schema() + "_outbox'") == 1);

        PGSimpleDataSource other = new PGSimpleDataSource();
        other.setURL(db.url());
        long started = System.nanoTime();
        try (Connection connection = other.getConnection()) {
            connection.setAutoCommit(false);
            writing.publish(connection, new AccountDebited("a-1", 1, 1));
            connection.commit();
        }

        Await.until("the message delivered, long before the relay's 5 minute poll", TIMEOUT, () -> received.size() == 1,
                received::toString);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(millis < 5_000, "delivered " + millis + " ms after the commit");
        Await.until("the row deleted", TIMEOUT, () -> relaying.pending() == 0, () -> relaying.pending() + " pending");
    }
}
