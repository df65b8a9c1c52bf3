package dev.eventbus.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.EventBus;
import dev.eventbus.core.OrderingKey;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Per-handler concurrency and ordering by key, as every {@link EventBus} does them
 * ({@link Subscription#withConcurrency}, {@link Subscription#orderedBy}). A bus implementation runs it by extending
 * this class, as {@link EventBusContract}. Overlap is asserted (handlers seen running at once), never timings.
 */
public abstract class OrderingContract extends ContractFixture {

    /** How long a scenario waits for an asynchronous outcome. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void handlerWithConcurrencyRunsThatManyDeliveriesAtOnceOnOneBusThread() throws Exception {
        CountDownLatch allIn = new CountDownLatch(4);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "slow_task", message -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            allIn.countDown();
            allIn.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS); // returns once 4 handlers are in at the same time
            running.decrementAndGet();
            handled.incrementAndGet();
        }).withConcurrency(4)).withHandlerThreads(1));
        IntStream.range(0, 8).forEach(i -> bus.publish(new TaskCreated("t-" + i, i)));

        Await.until("8 handled", TIMEOUT, () -> handled.get() == 8, () -> handled.get() + " handled");
        assertEquals(0, allIn.getCount(), "4 deliveries ran at once although the bus has one handler thread");
        assertEquals(4, most.get(), "at most the concurrency runs at once");
    }

    @Test
    void orderedHandlerKeepsEachKeysOrderThroughRetriesAndRunsKeysInParallel() {
        int keys = 20;
        int perKey = 10;
        Map<String, List<Integer>> handled = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "ordered_task", message -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                TaskCreated task = message.payload();
                Thread.sleep(2);
                // every third key fails twice on its message 3: retried in place while the key's later messages wait
                if (task.seq() == 3 && task.taskId().hashCode() % 3 == 0
                        && failures.computeIfAbsent(task.taskId(), k -> new AtomicInteger()).incrementAndGet() <= 2) {
                    throw new IllegalStateException("fails twice: " + task);
                }
                handled.computeIfAbsent(task.taskId(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(task.seq());
            } finally {
                running.decrementAndGet();
            }
        }).orderedBy(OrderingKey.attribute("task_id")).withConcurrency(4)).withRetry(RetryPolicy.of(5, Duration.ofMillis(20))));
        for (int seq = 0; seq < perKey; seq++) {
            for (int key = 0; key < keys; key++) {
                bus.publish(new TaskCreated("task-" + key, seq));
            }
        }

        Await.until("every message handled once", TIMEOUT,
                () -> handled.values().stream().mapToInt(List::size).sum() == keys * perKey, handled::toString);
        List<Integer> inOrder = IntStream.range(0, perKey).boxed().toList();
        handled.forEach((key, seqs) -> assertEquals(inOrder, seqs, "messages of " + key + " in publish order"));
        assertTrue(failures.values().stream().anyMatch(count -> count.get() > 2), "some keys failed and were retried: " + failures);
        assertTrue(most.get() > 1, "different keys ran in parallel; at most " + most.get() + " at once");
        assertTrue(most.get() <= 4, "no more than the concurrency at once: " + most.get());
    }

    @Test
    void failingKeyWaitsWhileOtherKeysGoOn() {
        Map<String, List<Integer>> handled = new ConcurrentHashMap<>();
        AtomicBoolean otherKeyDoneWhileWaiting = new AtomicBoolean();
        AtomicInteger attemptsOfA1 = new AtomicInteger();
        // b starts only once a/1 has failed, so b's messages are handled while a waits (whatever the threads' timing)
        CountDownLatch a1Failed = new CountDownLatch(1);
        EventBus bus = fixture().start(BusSpec.of("tasks", Subscription.of(TaskCreated.class, "waiting_task", message -> {
            TaskCreated task = message.payload();
            if (task.taskId().equals("a") && task.seq() == 1) {
                attemptsOfA1.incrementAndGet();
                if (handled.getOrDefault("b", List.of()).size() < 3) {
                    a1Failed.countDown();
                    throw new IllegalStateException("a/1 fails until every message of b is handled");
                }
                otherKeyDoneWhileWaiting.set(handled.getOrDefault("a", List.of()).equals(List.of(0)));
            }
            if (task.taskId().equals("b") && task.seq() == 0 && !a1Failed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("a/1 never failed");
            }
            handled.computeIfAbsent(task.taskId(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(task.seq());
        }).orderedBy(OrderingKey.of(message -> message.payload().get("task_id"))).withConcurrency(2))
                .withRetry(RetryPolicy.of(50, Duration.ofMillis(20))));
        bus.publish(new TaskCreated("a", 0));
        bus.publish(new TaskCreated("a", 1));
        bus.publish(new TaskCreated("a", 2));
        bus.publish(new TaskCreated("a", 3));
        bus.publish(new TaskCreated("b", 0));
        bus.publish(new TaskCreated("b", 1));
        bus.publish(new TaskCreated("b", 2));

        Await.until("a's 4 messages handled", TIMEOUT, () -> handled.getOrDefault("a", List.of()).size() == 4,
                handled::toString);
        assertEquals(List.of(0, 1, 2, 3), handled.get("a"), "a's later messages waited for its failing one");
        assertEquals(List.of(0, 1, 2), handled.get("b"));
        assertTrue(attemptsOfA1.get() >= 2, "a/1 failed at least once before it was handled: " + attemptsOfA1.get());
        assertTrue(otherKeyDoneWhileWaiting.get(), "b was handled while a waited, and a/2 had not overtaken a/1");
    }
}
