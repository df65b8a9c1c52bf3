package dev.eventbus.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OrderedLanesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static OrderedLanes.Task task(Supplier<CompletionStage<?>> run, Runnable rejected) {
        return new OrderedLanes.Task() {
            @Override
            public CompletionStage<?> run() {
                return run.get();
            }

            @Override
            public void reject() {
                rejected.run();
            }
        };
    }

    @Test
    void tasksOfOneKeyRunInOrderAndKeysInParallel() throws Exception {
        OrderedLanes lanes = new OrderedLanes(pool);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(400);
        for (int i = 0; i < 100; i++) {
            for (String key : List.of("a", "b", "c", "d")) {
                int seq = i;
                lanes.submit(key, task(() -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    seen.computeIfAbsent(key, k -> new ArrayList<>()).add(seq); // one task of a key at a time: no lock needed
                    running.decrementAndGet();
                    done.countDown();
                    return CompletableFuture.completedFuture(null);
                }, () -> { }));
            }
        }
        assertTrue(done.await(10, TimeUnit.SECONDS), "all ran");
        List<Integer> inOrder = java.util.stream.IntStream.range(0, 100).boxed().toList();
        seen.forEach((key, seqs) -> assertEquals(inOrder, seqs, key));
        assertTrue(most.get() <= 4);
    }

    @Test
    void aKeyIsHeldUntilItsTaskStageCompletesWhileOtherKeysGoOn() throws Exception {
        OrderedLanes lanes = new OrderedLanes(pool);
        CompletableFuture<Void> firstOfA = new CompletableFuture<>();
        List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        lanes.submit("a", task(() -> {
            ran.add("a1");
            return firstOfA;
        }, () -> { }));
        lanes.submit("a", task(() -> {
            ran.add("a2");
            return CompletableFuture.completedFuture(null);
        }, () -> { }));
        CountDownLatch b = new CountDownLatch(1);
        lanes.submit("b", task(() -> {
            ran.add("b1");
            b.countDown();
            return CompletableFuture.completedFuture(null);
        }, () -> { }));
        assertTrue(b.await(5, TimeUnit.SECONDS));
        assertTrue(lanes.activeKeys() >= 1, "a still holds its lane");
        assertTrue(!ran.contains("a2"), "a2 waits for a1's stage: " + ran);
        firstOfA.complete(null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!ran.contains("a2") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(List.of("a1", "a2"), ran.stream().filter(s -> s.startsWith("a")).toList());
    }

    @Test
    void aRefusingExecutorRejectsTheTaskAndWhatWaitsBehindIt() {
        ExecutorService stopped = Executors.newSingleThreadExecutor();
        stopped.shutdown();
        OrderedLanes lanes = new OrderedLanes(stopped);
        AtomicInteger rejected = new AtomicInteger();
        lanes.submit("a", task(() -> CompletableFuture.completedFuture(null), rejected::incrementAndGet));
        lanes.submit("a", task(() -> CompletableFuture.completedFuture(null), rejected::incrementAndGet));
        assertEquals(2, rejected.get());
        assertEquals(0, lanes.activeKeys());
    }
}
