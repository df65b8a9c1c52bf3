package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.rabbitmq.RabbitMqEventBus;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for asynchronous outcomes with a deadline: polls a condition until it holds, or fails with
 * what was expected and what was last observed. Stateless and thread-safe; every method blocks the
 * calling thread up to its timeout.
 *
 * <pre>{@code
 * Await.until("3 mails sent", Duration.ofSeconds(5), () -> mailer.sent() == 3, () -> mailer.sent() + " sent");
 * Await.awaitQueueDrained(broker, queue, Duration.ofSeconds(5));
 * }</pre>
 */
public final class Await {

    private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(5).toNanos();
    private static final long LONGEST_PAUSE_NANOS = Duration.ofMillis(100).toNanos();

    private Await() {
    }

    /**
     * Polls the condition until it is true. The condition is evaluated at least once, even with a zero
     * timeout; an exception it throws counts as "not yet" and is reported if time runs out.
     *
     * @param what      the expectation, e.g. "3 mails sent"
     * @param timeout   how long to wait
     * @param condition the check, called from this thread
     * @param observed  describes the current state for the failure message
     * @throws AssertionError "expected &lt;what&gt; within &lt;timeout&gt;; observed: &lt;observed&gt;" on timeout
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> observed) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(observed, "observed");
        long deadline = System.nanoTime() + requireNotNegative(timeout).toNanos();
        long pause = FIRST_PAUSE_NANOS;
        RuntimeException lastFailure = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
                lastFailure = null;
            } catch (RuntimeException e) {
                lastFailure = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
        String description;
        try {
            description = observed.get();
        } catch (RuntimeException e) {
            description = "(could not observe: " + e + ")";
        }
        if (lastFailure != null) {
            description = description + " (last check threw " + lastFailure + ")";
        }
        AssertionError error = new AssertionError("expected " + what + " within " + timeout + "; observed: " + description);
        if (lastFailure != null) {
            error.initCause(lastFailure);
        }
        throw error;
    }

    /**
     * Polls the condition until it is true; on timeout the message says only that it was still false.
     *
     * @throws AssertionError on timeout
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition, () -> "still false");
    }

    /**
     * Asserts that something does not happen for a while: polls {@code happened} every 20 ms for {@code period} and fails
     * as soon as it is true, with "expected &lt;what&gt;". The check for something that must not come (a fifth attempt, a
     * message before a stream's start): a bare sleep then one look would miss what came and went, and say nothing of
     * when.
     *
     * @throws AssertionError as soon as {@code happened} is true
     */
    public static void quietFor(String what, Duration period, BooleanSupplier happened) {
        long deadline = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < deadline) {
            if (happened.getAsBoolean()) {
                throw new AssertionError("expected " + what + " for " + period.toMillis() + " ms");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while watching that " + what, e);
            }
        }
        if (happened.getAsBoolean()) {
            throw new AssertionError("expected " + what + " for " + period.toMillis() + " ms");
        }
    }

    /**
     * Polls a value until it is accepted and returns it; on timeout the message shows the last value.
     *
     * @throws AssertionError "expected &lt;what&gt; within &lt;timeout&gt;; observed: &lt;last value&gt;" on timeout
     */
    public static <T> T untilValue(String what, Duration timeout, Supplier<T> value, Predicate<? super T> accepted) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(accepted, "accepted");
        Object[] last = new Object[1];
        until(what, timeout, () -> {
            T current = value.get();
            last[0] = current;
            return accepted.test(current);
        }, () -> String.valueOf(last[0]));
        @SuppressWarnings("unchecked")
        T result = (T) last[0];
        return result;
    }

    /**
     * Waits until a dead letter of the given reason is in a handler queue's dead letters, and returns it (it stays
     * in the queue). On timeout the message lists the dead letters that were there.
     *
     * @param handlerQueue the handler queue, e.g. {@code bus.convention().handlerQueue(type, "send_mail_handler")}
     * @throws AssertionError on timeout
     */
    public static DeadLetter deadLetter(RabbitMqEventBus bus, String handlerQueue, DeadLetterReason reason, Duration timeout) {
        List<DeadLetter> letters = untilValue("a " + reason.wireValue() + " dead letter in dead_letter." + handlerQueue, timeout,
                () -> bus.admin().deadLetters().peek(handlerQueue, 100),
                seen -> seen.stream().anyMatch(letter -> letter.reason() == reason));
        return letters.stream().filter(letter -> letter.reason() == reason).findFirst().orElseThrow();
    }

    /**
     * Waits until a handler has received {@code count} messages, as counted by the test (e.g. a list the handler
     * adds to). On timeout the message shows what was received.
     *
     * @throws AssertionError on timeout
     */
    public static void received(String handler, int count, java.util.Collection<?> received, Duration timeout) {
        until(handler + " received " + count + " messages", timeout, () -> received.size() >= count,
                () -> received.size() + " received: " + received);
    }

    /**
     * Waits until a queue holds exactly {@code expected} ready messages (a passive declare's count,
     * which leaves out messages delivered but not yet acknowledged). Opens a connection of the test
     * broker for the wait.
     *
     * @throws AssertionError on timeout, with the last count, or that the queue does not exist
     */
    public static void awaitQueueDepth(TestBroker broker, String queue, int expected, Duration timeout) {
        Connection connection = broker.newConnection(broker.connectionNamePrefix() + "-await");
        try {
            QueueDepth depth = new QueueDepth(queue);
            until("queue '" + queue + "' to hold " + expected + " ready message(s)", timeout,
                    () -> depth.read(connection) == expected, depth::describe);
        } finally {
            closeQuietly(connection);
        }
    }

    /**
     * Waits until a queue holds exactly {@code expected} ready messages, reading its count with a
     * passive declare on the given channel. If the queue does not exist the broker closes the channel,
     * so that failure is immediate.
     *
     * @throws AssertionError on timeout with the last count, or at once if the queue does not exist
     */
    public static void awaitQueueDepth(Channel channel, String queue, int expected, Duration timeout) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(queue, "queue");
        long[] last = {-1};
        until("queue '" + queue + "' to hold " + expected + " ready message(s)", timeout, () -> {
            last[0] = passiveCount(channel, queue);
            return last[0] == expected;
        }, () -> "queue '" + queue + "' holds " + last[0] + " ready message(s)");
    }

    /** Waits until a queue holds no ready messages, opening a connection of the test broker for the wait. */
    public static void awaitQueueDrained(TestBroker broker, String queue, Duration timeout) {
        awaitQueueDepth(broker, queue, 0, timeout);
    }

    /** Waits until a queue holds no ready messages, reading its count on the given channel. */
    public static void awaitQueueDrained(Channel channel, String queue, Duration timeout) {
        awaitQueueDepth(channel, queue, 0, timeout);
    }

    private static long passiveCount(Channel channel, String queue) {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException | ShutdownSignalException e) {
            throw new AssertionError("expected queue '" + queue + "' to exist; observed: " + rootMessage(e)
                    + " (the broker closed the channel, so waiting longer cannot help)", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }

    private static Duration requireNotNegative(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout " + timeout + " is negative: give e.g. Duration.ofSeconds(5)");
        }
        return timeout;
    }

    private static void closeQuietly(Connection connection) {
        if (connection.isOpen()) {
            connection.abort(2_000);
        }
    }

    /** The last depth read of one queue, on a fresh channel per read so that a missing queue can appear later. */
    private static final class QueueDepth {
        private final String queue;
        private volatile String last = "not read yet";

        QueueDepth(String queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
        }

        long read(Connection connection) {
            try (Channel channel = connection.createChannel()) {
                long count = channel.queueDeclarePassive(queue).getMessageCount();
                last = "queue '" + queue + "' holds " + count + " ready message(s)";
                return count;
            } catch (IOException | TimeoutException | ShutdownSignalException e) {
                last = "queue '" + queue + "' could not be read: " + rootMessage(e);
                return -1;
            }
        }

        String describe() {
            return last;
        }
    }
}
