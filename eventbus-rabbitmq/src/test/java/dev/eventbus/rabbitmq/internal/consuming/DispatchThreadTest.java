package dev.eventbus.rabbitmq.internal.consuming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link DispatchThread}: handling runs on the one dispatch thread, whoever asks (a timer bringing a retry back
 * included), is refused once stopping, and a stop waits for the running handler.
 */
class DispatchThreadTest {

    @Test
    void handlingAskedForFromAnotherThreadStillRunsOnTheDispatchThread() throws Exception {
        DispatchThread dispatch = new DispatchThread("eventbus-handler-test-1");
        List<String> ranOn = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(2);
        try {
            // as the client does: a delivery dispatched on the thread, then a retry brought back from a timer thread
            dispatch.executor().execute(() -> dispatch.run(() -> {
                ranOn.add(Thread.currentThread().getName());
                done.countDown();
            }, () -> false));
            Thread timer = new Thread(() -> dispatch.run(() -> {
                ranOn.add(Thread.currentThread().getName());
                done.countDown();
            }, () -> false), "timer");
            timer.start();
            timer.join();

            assertTrue(done.await(5, TimeUnit.SECONDS), "both handled");
            assertEquals(List.of("eventbus-handler-test-1", "eventbus-handler-test-1"), ranOn);
        } finally {
            dispatch.shutdown();
        }
    }

    @Test
    void stoppingRefusesHandlingSoTheCallerPutsTheMessageBack() {
        DispatchThread dispatch = new DispatchThread("eventbus-handler-test-1");
        try {
            assertThrows(RejectedExecutionException.class, () -> dispatch.run(() -> { }, () -> true));
        } finally {
            dispatch.shutdown();
        }
    }

    @Test
    void aStopWaitsForTheRunningHandler() throws Exception {
        DispatchThread dispatch = new DispatchThread("eventbus-handler-test-1");
        CountDownLatch started = new CountDownLatch(1);
        List<String> finished = new CopyOnWriteArrayList<>();
        try {
            dispatch.executor().execute(() -> dispatch.run(() -> {
                started.countDown();
                try {
                    Thread.sleep(300); // the handler's work
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                finished.add("handler");
            }, () -> false));
            assertTrue(started.await(5, TimeUnit.SECONDS));

            dispatch.awaitIdle(Duration.ofSeconds(5));

            assertEquals(List.of("handler"), finished, "the stop returned only after the handler finished");
        } finally {
            dispatch.shutdown();
        }
    }
}
