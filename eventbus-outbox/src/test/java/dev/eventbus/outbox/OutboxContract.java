package dev.eventbus.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageEncodingException;
import dev.eventbus.core.Subscription;
import dev.eventbus.testkit.Await;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the outbox promises, run on each database (H2 in {@code OutboxH2Test}, PostgreSQL in {@code OutboxPostgresIT})
 * with the in-memory bus: the database decides the locking, which is what these tests exercise.
 */
abstract class OutboxContract {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    TestDatabase db;
    InMemoryEventBus bus;
    final List<Message<AccountDebited>> received = new CopyOnWriteArrayList<>();
    final List<Outbox> outboxes = new ArrayList<>();

    abstract TestDatabase database();

    @BeforeEach
    void setUp() {
        db = database();
        bus = InMemoryEventBus.builder()
                .subscribe(Subscription.of(AccountDebited.class, "ledger", received::add))
                .build();
        bus.start();
    }

    @AfterEach
    void tearDown() {
        outboxes.forEach(Outbox::stop);
        bus.stop();
        db.close();
    }

    Outbox outbox(java.util.function.UnaryOperator<OutboxBuilder> settings) {
        Outbox outbox = settings.apply(Outbox.builder(db.dataSource(), bus).table(db.table("outbox"))).build();
        outbox.createTable();
        outboxes.add(outbox);
        return outbox;
    }

    Outbox outbox() {
        return outbox(b -> b);
    }

    @Test
    void aRolledBackTransactionPublishesNothing() throws Exception {
        Outbox outbox = outbox();
        outbox.start();
        RuntimeException failure = assertThrows(IllegalStateException.class, () -> outbox.inTransaction(connection -> {
            outbox.publish(connection, new AccountDebited("a-1", 100, 1));
            throw new IllegalStateException("insufficient funds");
        }));
        assertEquals("insufficient funds", failure.getMessage());
        try (Connection connection = db.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            outbox.publish(connection, List.of(new AccountDebited("a-2", 100, 1), new AccountDebited("a-2", 50, 2)));
            connection.rollback();
        }
        outbox.inTransaction(connection -> outbox.publish(connection, new AccountDebited("a-3", 1, 1)));

        Await.until("the committed message", TIMEOUT, () -> received.size() == 1, received::toString);
        assertEquals("a-3", received.get(0).payload().accountId(), "only the committed transaction's message is sent");
        Await.until("the sent row deleted", TIMEOUT, () -> outbox.pending() == 0, () -> outbox.pending() + " pending");
        assertEquals(0, outbox.relayPending(), "nothing else waits: the rolled-back rows were never written");
        assertTrue(bus.awaitIdle(TIMEOUT));
        assertEquals(1, received.size(), () -> "rolled-back messages were sent: " + received);
    }

    @Test
    void aCommittedMessageIsSentAsPublishedAndItsRowDeleted() {
        Outbox outbox = outbox();
        Message<AccountDebited> message = Message.of(new AccountDebited("a-1", 250, 1)).withMeta("correlation_id", "c-9");
        outbox.inTransaction(connection -> outbox.publish(connection, message));
        assertEquals(1, outbox.pending(), "the row waits until a relay runs");

        assertEquals(1, outbox.relayPending());

        Await.until("the message delivered", TIMEOUT, () -> received.size() == 1, received::toString);
        Message<AccountDebited> delivered = received.get(0);
        assertEquals(message.id(), delivered.id());
        assertEquals(message.payload(), delivered.payload());
        assertEquals(message.occurredOn(), delivered.occurredOn());
        assertEquals("c-9", delivered.meta().get("correlation_id"));
        assertEquals(0, outbox.pending(), "the confirmed row is deleted");
    }

    @Test
    void whatTheBusWouldRefuseIsNeverWritten() throws Exception {
        Outbox outbox = outbox();
        try (Connection connection = db.dataSource().getConnection()) {
            assertThrows(MessageEncodingException.class, () -> outbox.publish(connection, "not an event"));
            assertThrows(MessageEncodingException.class, () -> outbox.publish(connection,
                    List.of(new AccountDebited("a", 1, 1), Map.of("a", 1))));
        }
        assertEquals(0, outbox.pending(), "a list with one bad element writes nothing");
    }

    @Test
    void twoRelaysOnOneTablePublishEachRowOnce() {
        Outbox first = outbox(b -> b.batchSize(25).pollInterval(Duration.ofMillis(20)));
        Outbox second = outbox(b -> b.batchSize(25).pollInterval(Duration.ofMillis(20)));
        int count = 1_000;
        for (int i = 0; i < count / 2; i += 50) {
            int start = i;
            first.inTransaction(connection -> {
                for (int n = start; n < start + 50; n++) {
                    first.publish(connection, new AccountDebited("a-" + n, n, n));
                }
            });
        }
        first.start();
        second.start();
        for (int i = count / 2; i < count; i += 50) {
            int start = i;
            second.inTransaction(connection -> {
                for (int n = start; n < start + 50; n++) {
                    second.publish(connection, new AccountDebited("a-" + n, n, n));
                }
            });
        }

        Await.until("every message delivered", TIMEOUT, () -> received.size() >= count,
                () -> received.size() + " of " + count + ", relayed " + first.relayed() + " + " + second.relayed());
        assertTrue(bus.awaitIdle(TIMEOUT));
        Map<String, Integer> copies = new ConcurrentHashMap<>();
        received.forEach(message -> copies.merge(message.id(), 1, Integer::sum));
        assertEquals(count, copies.size(), "distinct messages");
        assertEquals(count, received.size(), () -> "sent more than once: " + copies.entrySet().stream()
                .filter(e -> e.getValue() > 1).limit(5).toList());
        Await.until("both relays' last batches committed", TIMEOUT, () -> first.pending() == 0,
                () -> first.pending() + " pending");
        Await.until("the two relays' counts adding up to the rows", TIMEOUT, () -> first.relayed() + second.relayed() == count,
                () -> first.relayed() + " + " + second.relayed());
    }

    @Test
    void aRelayNeverSendsARowAnotherRelayHolds() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Outbox holder = outbox(b -> b.batchSize(5).observer(new RelayObserver() {
            @Override
            public void claimed(int rows) {
                holding.countDown();
                await(release);
            }
        }));
        Outbox other = outbox(b -> b.batchSize(100));
        holder.inTransaction(connection -> {
            for (int n = 1; n <= 20; n++) {
                holder.publish(connection, new AccountDebited("a-" + n, n, n));
            }
        });
        holder.start();
        assertTrue(holding.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the first relay claimed its batch");

        int sent = other.relayPending();

        assertEquals(15, sent, "the other relay sends every row but the 5 the first holds");
        assertTrue(bus.awaitIdle(TIMEOUT));
        assertEquals(List.of(6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
                received.stream().map(m -> m.payload().sequence()).sorted().toList());
        release.countDown();
        // delivered before the batch commits: wait for the commit, which deletes the rows
        Await.until("the held rows sent and deleted", TIMEOUT, () -> received.size() == 20 && holder.pending() == 0,
                () -> received.size() + " delivered, " + holder.pending() + " pending");
    }

    @Test
    void aKeysLaterRowsWaitWhileAnotherRelayHoldsItsOldest() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Outbox holder = outbox(b -> b.batchSize(1).observer(new RelayObserver() {
            @Override
            public void claimed(int rows) {
                holding.countDown();
                await(release);
            }
        }));
        Outbox other = outbox();
        holder.inTransaction(connection -> {
            holder.publishOrdered(connection, "account-1", new AccountDebited("account-1", 10, 1));
            holder.publish(connection, new AccountDebited("loose", 1, 1));
            holder.publishOrdered(connection, "account-1", List.of(new AccountDebited("account-1", 20, 2),
                    new AccountDebited("account-1", 30, 3)));
            holder.publishOrdered(connection, "account-2", new AccountDebited("account-2", 5, 1));
        });
        holder.start();
        assertTrue(holding.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the first relay holds account-1's oldest row");

        int sent = other.relayPending();

        assertTrue(bus.awaitIdle(TIMEOUT));
        assertEquals(2, sent, () -> "only the rows of no key and of account-2 leave: " + received);
        assertEquals(List.of("account-2", "loose"), received.stream().map(m -> m.payload().accountId()).sorted().toList());
        release.countDown();
        Await.until("every message sent", TIMEOUT, () -> received.size() == 5, received::toString);
        assertEquals(List.of(1, 2, 3), received.stream().filter(m -> m.payload().accountId().equals("account-1"))
                .map(m -> m.payload().sequence()).toList(), "account-1 in the order written");
    }

    @Test
    void orderingKeysKeepTheirOrderWithTwoRelays() {
        Outbox first = outbox(b -> b.batchSize(7).pollInterval(Duration.ofMillis(10)));
        Outbox second = outbox(b -> b.batchSize(7).pollInterval(Duration.ofMillis(10)));
        first.start();
        second.start();
        int keys = 5;
        int perKey = 40;
        for (int sequence = 1; sequence <= perKey; sequence++) {
            int s = sequence;
            (s % 2 == 0 ? first : second).inTransaction(connection -> {
                for (int k = 0; k < keys; k++) {
                    first.publishOrdered(connection, "account-" + k, new AccountDebited("account-" + k, s, s));
                }
                first.publish(connection, new AccountDebited("loose", s, s));
            });
        }

        Await.until("every message delivered", TIMEOUT, () -> received.size() >= keys * perKey + perKey,
                () -> received.size() + " delivered");
        for (int k = 0; k < keys; k++) {
            String key = "account-" + k;
            List<Integer> order = received.stream().filter(m -> m.payload().accountId().equals(key))
                    .map(m -> m.payload().sequence()).toList();
            assertEquals(java.util.stream.IntStream.rangeClosed(1, perKey).boxed().toList(), order,
                    key + " delivered in the order written, once each");
        }
    }

    @Test
    void theRelayBacksOffWhileTheBusFailsAndCatchesUpAfter() {
        FlakyBus flaky = new FlakyBus(bus);
        Outbox outbox = Outbox.builder(db.dataSource(), flaky).table(db.table("outbox")).batchSize(10)
                .backOff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
        outbox.createTable();
        outboxes.add(outbox);
        flaky.down.set(true);
        outbox.inTransaction(connection -> {
            for (int n = 1; n <= 30; n++) {
                outbox.publishOrdered(connection, "account-" + n % 3, new AccountDebited("account-" + n % 3, n, n));
            }
        });
        outbox.start();

        Await.until("several failed attempts", TIMEOUT, () -> flaky.refused.get() >= 9, () -> flaky.refused + " refused");
        long attemptsBefore = flaky.refused.get();
        assertEquals(30, outbox.pending(), "nothing is lost while the bus is down");
        assertTrue(db.count("SELECT MAX(attempts) FROM " + db.table("outbox")) >= 1, "failed attempts are counted on the rows");
        assertEquals(0, db.count("SELECT COUNT(*) FROM " + db.table("outbox") + " WHERE attempts > 0 AND (last_error IS NULL "
                + "OR last_error NOT LIKE '%the test''s bus is down%')"), "each failed row says why");
        assertTrue(received.isEmpty());
        assertTrue(attemptsBefore < 30 * 10, "the relay backs off instead of spinning: " + attemptsBefore + " attempts");

        flaky.down.set(false);

        Await.until("every message delivered after the bus came back", TIMEOUT, () -> received.size() == 30,
                () -> received.size() + " delivered, " + outbox.pending() + " pending");
        for (int k = 0; k < 3; k++) {
            String key = "account-" + k;
            List<Integer> order = received.stream().filter(m -> m.payload().accountId().equals(key))
                    .map(m -> m.payload().sequence()).toList();
            assertEquals(order.stream().sorted().toList(), order, key + " still in order after the failures");
        }
        Await.until("every row deleted", TIMEOUT, () -> outbox.pending() == 0, () -> outbox.pending() + " pending");
    }

    @Test
    void anIdleRelayIsWokenByACommitInsteadOfWaitingItsPollInterval() {
        Outbox outbox = outbox(b -> b.pollInterval(Duration.ofMinutes(5)));
        outbox.start();
        long started = System.nanoTime();

        outbox.inTransaction(connection -> outbox.publish(connection, new AccountDebited("a-1", 1, 1)));

        Await.until("the message delivered long before the 5 minute poll", TIMEOUT, () -> received.size() == 1,
                received::toString);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(millis < TIMEOUT.toMillis(), "woken after " + millis + " ms");
    }

    @Test
    void anObserverThatThrowsNeitherStopsTheRelayNorMakesItSendAgain() {
        Outbox outbox = outbox(b -> b.observer(new RelayObserver() {
            @Override
            public void confirmed(dev.eventbus.core.pipeline.EncodedMessage message) {
                throw new IllegalStateException("a broken metrics hook");
            }

            @Override
            public void committed(int sent, int failed) {
                throw new IllegalStateException("a broken metrics hook");
            }
        }));
        outbox.inTransaction(connection -> outbox.publish(connection, List.of(new AccountDebited("a-1", 1, 1),
                new AccountDebited("a-2", 2, 2))));

        assertEquals(2, outbox.relayPending());

        assertEquals(0, outbox.pending(), "the confirmed rows were deleted despite the observer");
        assertEquals(0, outbox.relayPending(), "and are not sent again");
        assertTrue(bus.awaitIdle(TIMEOUT));
        assertEquals(2, received.size(), received::toString);
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
