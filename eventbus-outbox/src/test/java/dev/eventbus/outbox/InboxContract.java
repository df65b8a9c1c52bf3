package dev.eventbus.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Delivery;
import dev.eventbus.core.DeliveryHandler;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.Message;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.testkit.Await;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the inbox promises, run on H2 ({@code InboxH2Test}) and PostgreSQL ({@code InboxPostgresIT}). */
abstract class InboxContract {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    TestDatabase db;
    Inbox inbox;
    String ledger;

    abstract TestDatabase database();

    @BeforeEach
    void setUp() {
        db = database();
        inbox = Inbox.builder(db.dataSource()).table(db.table("inbox")).build();
        inbox.createTable();
        ledger = db.table("ledger");
        db.execute("CREATE TABLE " + ledger + " (message_id VARCHAR(36) NOT NULL, account_id VARCHAR(64) NOT NULL, amount BIGINT NOT NULL)");
    }

    @AfterEach
    void tearDown() {
        inbox.close();
        db.close();
    }

    /** The handler under test: books the debit in the ledger table, on the inbox's connection. */
    InboxHandler<AccountDebited> book(AtomicInteger runs) {
        return (message, connection) -> {
            runs.incrementAndGet();
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + ledger + " VALUES (?, ?, ?)")) {
                insert.setString(1, message.id());
                insert.setString(2, message.payload().accountId());
                insert.setLong(3, message.payload().amountCents());
                insert.executeUpdate();
            }
        };
    }

    static Delivery delivery(String handler, boolean redelivered) {
        return new Delivery(handler, "q", "rk", 1, redelivered);
    }

    @Test
    void aDuplicateIsAcknowledgedWithoutRunningTheHandlerAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        InMemoryEventBus bus = InMemoryEventBus.builder()
                .subscribe(Subscription.handling(AccountDebited.class, "book_debit", inbox.idempotent(book(runs))))
                .build();
        try {
            bus.start();
            Message<AccountDebited> message = Message.of(new AccountDebited("a-1", 500, 1));
            bus.publish(message);
            bus.publish(message);
            bus.publish(message);
            bus.publish(new AccountDebited("a-1", 700, 2));

            Await.until("four deliveries settled", TIMEOUT, () -> runs.get() + inbox.duplicatesSkipped() == 4,
                    () -> runs + " runs, " + inbox.duplicatesSkipped() + " duplicates");
            assertTrue(bus.awaitIdle(TIMEOUT));
        } finally {
            bus.stop();
        }
        assertEquals(2, runs.get(), "the handler ran once per message id");
        assertEquals(2, inbox.duplicatesSkipped());
        assertEquals(2, db.count("SELECT COUNT(*) FROM " + ledger));
        assertEquals(1200, db.count("SELECT SUM(amount) FROM " + ledger));
        assertTrue(bus.deadLetters().isEmpty(), "duplicates are acknowledged, not dead-lettered");
    }

    @Test
    void aFailedHandlerRollsBackItsWorkAndItsRecordSoTheRetryRunsIt() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        InboxHandler<AccountDebited> booking = book(runs);
        DeliveryHandler<AccountDebited> handler = inbox.idempotent((message, connection) -> {
            booking.handle(message, connection);
            if (runs.get() == 1) {
                throw new IllegalStateException("the fraud check is down");
            }
        });
        Message<AccountDebited> message = Message.of(new AccountDebited("a-1", 500, 1));

        assertThrows(IllegalStateException.class, () -> handler.handle(message, delivery("book_debit", false)));
        assertEquals(0, db.count("SELECT COUNT(*) FROM " + ledger), "the failed attempt's insert is rolled back");
        assertFalse(inbox.hasHandled("book_debit", message.id()), "and so is its inbox record");

        handler.handle(message, delivery("book_debit", true));
        handler.handle(message, delivery("book_debit", true));

        assertEquals(2, runs.get(), "the retry ran the handler; the copy after it did not");
        assertEquals(1, db.count("SELECT COUNT(*) FROM " + ledger));
        assertTrue(inbox.hasHandled("book_debit", message.id()));
    }

    @Test
    void eachHandlerHandlesAMessageOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        DeliveryHandler<AccountDebited> handler = inbox.idempotent(book(runs));
        Message<AccountDebited> message = Message.of(new AccountDebited("a-1", 1, 1));

        handler.handle(message, delivery("book_debit", false));
        handler.handle(message, delivery("notify_owner", false));
        handler.handle(message, delivery("book_debit", true));
        handler.handle(message, delivery("notify_owner", true));

        assertEquals(2, runs.get(), "once for each handler name");
        assertEquals(2, inbox.duplicatesSkipped());
    }

    @Test
    void twoCopiesDeliveredAtOnceRunTheHandlerOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        java.util.concurrent.CountDownLatch inHandler = new java.util.concurrent.CountDownLatch(1);
        InboxHandler<AccountDebited> booking = book(runs);
        DeliveryHandler<AccountDebited> handler = inbox.idempotent((message, connection) -> {
            booking.handle(message, connection);
            inHandler.countDown();
            Thread.sleep(300); // the transaction stays open while the second copy arrives
        });
        Message<AccountDebited> message = Message.of(new AccountDebited("a-1", 1, 1));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Callable<Void> deliver = () -> {
                handler.handle(message, delivery("book_debit", false));
                return null;
            };
            Future<Void> first = threads.submit(deliver);
            assertTrue(inHandler.await(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            Future<Void> second = threads.submit(deliver);
            first.get();
            List<Throwable> failures = new ArrayList<>();
            try {
                second.get();
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause()); // H2 may time out the wait for the first's lock: the bus retries it
            }
            if (!failures.isEmpty()) {
                handler.handle(message, delivery("book_debit", true));
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(1, runs.get(), "the handler ran once");
        assertEquals(1, db.count("SELECT COUNT(*) FROM " + ledger));
        assertEquals(1, inbox.duplicatesSkipped());
    }

    @Test
    void recordsOlderThanTheRetentionArePurged() throws Exception {
        Inbox shortLived = Inbox.builder(db.dataSource()).table(db.table("inbox")).retention(Duration.ofMillis(200))
                .purgeInterval(Duration.ZERO).build();
        AtomicInteger runs = new AtomicInteger();
        DeliveryHandler<AccountDebited> handler = shortLived.idempotent(book(runs));
        Message<AccountDebited> old = Message.of(new AccountDebited("a-1", 1, 1));
        handler.handle(old, delivery("book_debit", false));
        assertEquals(0, shortLived.purgeExpired(), "a fresh record is kept");

        Await.until("the record expired and purged", TIMEOUT, () -> shortLived.purgeExpired() == 1);
        assertFalse(shortLived.hasHandled("book_debit", old.id()));
        handler.handle(old, delivery("book_debit", true));
        assertEquals(2, runs.get(), "a copy later than the retention runs the handler again, as documented");
    }

    @Test
    void theInboxPurgesOnItsOwnSchedule() throws Exception {
        try (Inbox scheduled = Inbox.builder(db.dataSource()).table(db.table("inbox")).retention(Duration.ofMillis(50))
                .purgeInterval(Duration.ofMillis(100)).build()) {
            DeliveryHandler<AccountDebited> handler = scheduled.idempotent(book(new AtomicInteger()));
            Message<AccountDebited> message = Message.of(new AccountDebited("a-1", 1, 1));
            handler.handle(message, delivery("book_debit", false));

            Await.until("the scheduled purge removed the record", TIMEOUT, () -> !scheduled.hasHandled("book_debit", message.id()));
        }
    }

    @Test
    void theRetryPolicyStillAppliesToFailuresInsideTheInbox() {
        AtomicInteger runs = new AtomicInteger();
        InMemoryEventBus bus = InMemoryEventBus.builder().retryPolicy(RetryPolicy.of(2, Duration.ofMillis(10)))
                .subscribe(Subscription.handling(AccountDebited.class, "always_failing", inbox.idempotent((message, connection) -> {
                    runs.incrementAndGet();
                    throw new IllegalStateException("down");
                })))
                .build();
        try {
            bus.start();
            Message<AccountDebited> message = Message.of(new AccountDebited("a-1", 1, 1));
            bus.publish(message);
            Await.until("the message dead-lettered", TIMEOUT, () -> bus.deadLetters().size() == 1, () -> runs + " runs");
            assertEquals(3, runs.get(), "one attempt and two retries, none recorded");
            assertFalse(inbox.hasHandled("always_failing", message.id()));
        } finally {
            bus.stop();
        }
    }
}
