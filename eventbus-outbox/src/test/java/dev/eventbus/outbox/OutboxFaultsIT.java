package dev.eventbus.outbox;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Message;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.Faults;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The outbox's fault suite, against the local broker and PostgreSQL: a relay killed mid-batch, its broker connection cut
 * mid-batch, the database restarted mid-stream. Each prints a reliability line; nothing committed may be lost, and the
 * inbox must collapse every duplicate. Only this test's own connections are cut and only a server of its own is
 * restarted: the broker and the PostgreSQL server are shared.
 */
@RabbitMqTest
class OutboxFaultsIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** A consumer that books each debit in the ledger through the inbox. */
    private RabbitMqEventBus consumer(TestBroker broker, Inbox inbox, String ledger, RetryPolicy retry) {
        RabbitMqEventBus bus = broker.bus(b -> b.retryPolicy(retry).consumerThreads(4)
                .subscribe(Subscription.handling(AccountDebited.class, "book_debit", inbox.idempotent((message, connection) -> {
                    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + ledger + " VALUES (?, ?)")) {
                        insert.setString(1, message.id());
                        insert.setLong(2, message.payload().amountCents());
                        insert.executeUpdate();
                    }
                }))));
        bus.admin().configure();
        bus.start();
        return bus;
    }

    private static void createLedger(DataSource dataSource, String ledger) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE TABLE " + ledger + " (message_id VARCHAR(36) NOT NULL, amount BIGINT NOT NULL)");
        }
    }

    /** Writes {@code count} messages, {@code perTransaction} per transaction, and tallies what committed. */
    private static void write(Outbox outbox, OutboxTally tally, String prefix, int count, int perTransaction) {
        for (int i = 0; i < count; i += perTransaction) {
            int start = i;
            Set<String> ids = new HashSet<>();
            try {
                outbox.inTransaction(connection -> {
                    for (int n = start; n < Math.min(count, start + perTransaction); n++) {
                        Message<AccountDebited> message = Message.of(new AccountDebited(prefix + "-" + n, n, n));
                        outbox.publish(connection, message);
                        ids.add(message.id());
                    }
                });
                tally.committed(ids);
            } catch (OutboxException e) {
                tally.failed(Math.min(count, start + perTransaction) - start);
            }
        }
    }

    /** Writes 10 messages per transaction, every 20 ms, on a thread of its own until stopped; failures are tallied. */
    private static final class Writer {
        private final Thread thread;
        private volatile boolean running = true;

        Writer(Outbox outbox, OutboxTally tally) {
            thread = new Thread(() -> {
                for (int round = 0; running; round++) {
                    write(outbox, tally, "round" + round, 10, 10);
                    pause(20);
                }
            }, "outbox-test-writer");
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(TIMEOUT.toMillis());
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aRelayKilledMidBatchLosesNothing(TestBroker broker) throws Exception {
        OutboxTally tally = new OutboxTally("outbox relay killed (kill -9) mid-batch");
        int batch = 200;
        try (TestDatabase db = TestDatabase.postgres(); Inbox inbox = Inbox.builder(db.dataSource()).table(db.table("inbox")).build()) {
            inbox.createTable();
            createLedger(db.dataSource(), db.table("ledger"));
            RabbitMqEventBus consumer = consumer(broker, inbox, db.table("ledger"), RetryPolicy.of(5, Duration.ofMillis(200)));
            Outbox outbox = Outbox.builder(db.dataSource(), consumer).table(db.table("outbox")).batchSize(batch).build();
            outbox.createTable();
            write(outbox, tally, "before", 2_000, 100);

            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), RelayProcess.class.getName(), db.url(), db.table("outbox"),
                    broker.uri(), broker.organization(), broker.service(), String.valueOf(batch))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    out.lines().forEach(lines::add);
                } catch (java.io.IOException e) {
                    lines.add("read failed: " + e);
                }
            });
            reader.start();
            try {
                Await.until("the child relay in the middle of a batch, after committing some", TIMEOUT,
                        () -> count(lines, "committed ") >= 2 && confirmedSinceLastCommit(lines) >= 20,
                        () -> lines.size() + " lines: " + lines.subList(Math.max(0, lines.size() - 3), lines.size()));
            } finally {
                child.destroyForcibly();
                assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child relay died");
                reader.join(5_000);
            }
            int confirmedUncommitted = confirmedSinceLastCommit(lines);
            assertTrue(confirmedUncommitted > 0, "killed after confirms the batch had not committed: " + confirmedUncommitted);
            long waiting = outbox.pending();
            assertTrue(waiting > 0, "the killed relay left rows, among them the ones of its open batch");

            outbox.start(); // the next relay (a restarted service, or another replica)
            try {
                Await.until("every committed message booked", TIMEOUT,
                        () -> tally.lost(OutboxTally.booked(db.dataSource(), db.table("ledger"))) == 0,
                        () -> tally.line(OutboxTally.booked(db.dataSource(), db.table("ledger")), inbox.duplicatesSkipped()));
                Await.until("the re-sent copies acknowledged as duplicates", TIMEOUT,
                        () -> inbox.duplicatesSkipped() >= confirmedUncommitted, () -> inbox.duplicatesSkipped() + " duplicates");
            } finally {
                outbox.stop();
            }
            OutboxTally.Booked booked = OutboxTally.booked(db.dataSource(), db.table("ledger"));
            tally.report(booked, inbox.duplicatesSkipped(), batch);
            assertTrue(inbox.duplicatesSkipped() >= confirmedUncommitted,
                    "the confirmed rows of the killed batch were sent again, and deduplicated");
        }
    }

    private static long count(List<String> lines, String prefix) {
        return lines.stream().filter(line -> line.startsWith(prefix)).count();
    }

    /** Confirms printed after the last {@code committed} line: sent, but their rows not deleted. */
    private static int confirmedSinceLastCommit(List<String> lines) {
        int confirmed = 0;
        for (String line : lines) {
            if (line.startsWith("committed ")) {
                confirmed = 0;
            } else if (line.startsWith("confirmed ")) {
                confirmed++;
            }
        }
        return confirmed;
    }

    @Test
    void aRelayWhoseBrokerConnectionIsCutMidBatchLosesNothing(TestBroker broker) throws Exception {
        OutboxTally tally = new OutboxTally("outbox relay's connection cut mid-batch");
        int batch = 100;
        try (TestDatabase db = TestDatabase.postgres(); Inbox inbox = Inbox.builder(db.dataSource()).table(db.table("inbox")).build()) {
            inbox.createTable();
            createLedger(db.dataSource(), db.table("ledger"));
            consumer(broker, inbox, db.table("ledger"), RetryPolicy.of(5, Duration.ofMillis(200)));
            RabbitMqEventBus relayBus = broker.bus(b -> b);
            AtomicInteger confirmed = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            Outbox outbox = Outbox.builder(db.dataSource(), relayBus).table(db.table("outbox")).batchSize(batch)
                    .backOff(Duration.ofMillis(50), Duration.ofSeconds(1))
                    .observer(new RelayObserver() {
                        @Override
                        public void confirmed(EncodedMessage message) {
                            confirmed.incrementAndGet();
                            pause(1); // batches last long enough for the cut to land in one
                        }

                        @Override
                        public void failed(EncodedMessage message, Throwable cause) {
                            failed.incrementAndGet();
                        }
                    }).build();
            outbox.createTable();
            write(outbox, tally, "before", 1_000, 100);
            outbox.start();
            Writer writer = new Writer(outbox, tally);
            try {
                Await.until("the relay streaming", TIMEOUT, () -> confirmed.get() >= 500, () -> confirmed + " confirmed");

                Faults.closeBusConnectionsAndAwaitRecovery(broker, relayBus, TIMEOUT);

                int afterCut = tally.committedCount();
                Await.until("more messages written after the cut", TIMEOUT, () -> tally.committedCount() >= afterCut + 500,
                        () -> tally.committedCount() + " committed");
                writer.stop();
                Await.until("every committed message booked", TIMEOUT,
                        () -> tally.lost(OutboxTally.booked(db.dataSource(), db.table("ledger"))) == 0,
                        () -> tally.line(OutboxTally.booked(db.dataSource(), db.table("ledger")), inbox.duplicatesSkipped())
                                + ", relay failures " + failed);
            } finally {
                writer.stop();
                outbox.stop();
            }
            assertTrue(failed.get() > 0, "the cut hit the relay mid-stream: sends failed (" + failed + ") and were tried again");
            tally.report(OutboxTally.booked(db.dataSource(), db.table("ledger")), inbox.duplicatesSkipped(), batch);
        }
    }

    @Test
    void aDatabaseRestartMidStreamLosesNothing(TestBroker broker) throws Exception {
        OutboxTally tally = new OutboxTally("outbox database restarted mid-stream");
        int batch = 100;
        try (OwnPostgres server = OwnPostgres.start()) {
            org.h2.jdbcx.JdbcConnectionPool dataSource = server.dataSource();
            try (AutoCloseable pool = dataSource::dispose; Inbox inbox = Inbox.builder(dataSource).table("inbox").build()) {
                inbox.createTable();
                createLedger(dataSource, "ledger");
                // the handler's database restarts too: its failures are retried until it is back
                RabbitMqEventBus consumer = consumer(broker, inbox, "ledger", RetryPolicy.of(60, Duration.ofMillis(250)));
                AtomicInteger confirmed = new AtomicInteger();
                // a 5 minute poll: after the restart, only the listener's reconnection and NOTIFY can wake the relay
                Outbox outbox = Outbox.builder(dataSource, consumer).table("outbox").batchSize(batch)
                        .backOff(Duration.ofMillis(50), Duration.ofSeconds(1)).pollInterval(Duration.ofMinutes(5))
                        .observer(new RelayObserver() {
                            @Override
                            public void confirmed(EncodedMessage message) {
                                confirmed.incrementAndGet();
                            }
                        }).build();
                outbox.createTable();
                outbox.start();
                Writer writer = new Writer(outbox, tally);
                try {
                    Await.until("the relay streaming", TIMEOUT, () -> confirmed.get() >= 300, () -> confirmed + " confirmed");
                    server.stop();
                    Thread.sleep(1_000); // down for a second: writes fail, the relay and the listener reconnect after
                    server.startAgain();
                    int afterRestart = tally.committedCount();
                    Await.until("more messages written after the restart", TIMEOUT,
                            () -> tally.committedCount() >= afterRestart + 300, () -> tally.committedCount() + " committed");
                    writer.stop();
                    Await.until("every committed message booked", TIMEOUT,
                            () -> tally.lost(OutboxTally.booked(dataSource, "ledger")) == 0,
                            () -> tally.line(OutboxTally.booked(dataSource, "ledger"), inbox.duplicatesSkipped()));
                } finally {
                    writer.stop();
                    outbox.stop();
                    consumer.stop();
                }
                tally.report(OutboxTally.booked(dataSource, "ledger"), inbox.duplicatesSkipped(), 2 * batch);
            }
        }
    }
}
