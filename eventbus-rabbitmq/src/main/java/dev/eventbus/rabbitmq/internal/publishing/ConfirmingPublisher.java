package dev.eventbus.rabbitmq.internal.publishing;

import dev.eventbus.rabbitmq.PublishException;
import dev.eventbus.rabbitmq.PublishNotConfirmedException;
import dev.eventbus.rabbitmq.UnroutableMessageException;
import dev.eventbus.rabbitmq.FrameLimits;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.EventBusStoppedException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with publisher confirms over a small pool of channels, never sharing a channel between two
 * threads at once, with a bounded number of unconfirmed messages in flight.
 *
 * <p>Thread-safe. The caller waits for an alarm to clear and for an in-flight slot (until its deadline), then hands
 * the message to one of {@code maxChannels} writer threads, which takes an idle channel (opening one while fewer than
 * {@code maxChannels} exist), publishes, and gives it back before the confirm arrives, so one channel carries many
 * messages in flight. Futures complete on the client's connection thread: code chained on them must not block.
 *
 * <p><b>Deadlines.</b> Every publish has one, {@code timeout} after the call. The socket write happens on a writer
 * thread, never the caller's: with the client's blocking IO a write to a half-open connection blocks until the
 * client's heartbeat check closes the socket (about 2.25 heartbeats later), and every other write to that connection
 * waits for the connection's write lock meanwhile, with no deadline. The caller's wait is bounded instead: a blocking
 * {@link #publish} returns at its deadline at the latest, and the futures of {@link #publishAsync} and
 * {@link #publishInOrder} fail then (one sweep of the deadline thread fails the overdue ones, within a tenth of the timeout,
 * 50 ms at most, after their deadline; there is no timer per message). A message still queued for a writer at its deadline is not sent at all.
 * (The client's NIO mode was considered and not taken: its write enqueuing timeout is one fixed value per connection
 * factory, applies to each frame rather than to the call, and a timeout midway leaves a partial message on the
 * channel.)
 *
 * <p>What the client's automatic recovery does not cover, this class does: a channel closed by a channel error
 * (e.g. a missing exchange) is never recovered, so it is dropped and replaced; a channel whose confirm bookkeeping a
 * failed publish put out of step is retired ({@link PublisherChannel}); unconfirmed messages of a channel that closed
 * fail with {@link PublishNotConfirmedException}; {@link #publish} waits for a lost connection to recover and
 * publishes again, once per completed recovery (never in a loop while the connection is down), until its deadline; a
 * connection blocked by a broker alarm holds publishers until the alarm clears or the deadline passes. A message whose
 * channel a channel error closed before its confirm (perhaps another message's error) is published once more alone on
 * a temporary channel: an innocent message goes through, the one that caused the error fails again the same way and
 * is reported.
 */
public final class ConfirmingPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);

    private final Connection connection;
    private final String name;
    private final int maxChannels;
    private final Duration timeout;
    private final Semaphore inFlight;
    private final LinkedBlockingQueue<PublisherChannel> idle = new LinkedBlockingQueue<>();
    private final List<PublisherChannel> channels = new CopyOnWriteArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();
    private final ThreadPoolExecutor writers;
    private final ScheduledThreadPoolExecutor deadlines;
    /** The attempts of callers that do not wait, until the sweep sees them settled or fails them at their deadline. */
    private final ConcurrentLinkedQueue<Attempt> awaitingDeadline = new ConcurrentLinkedQueue<>();
    private final AtomicReference<CompletableFuture<Void>> unblocked = new AtomicReference<>(CompletableFuture.completedFuture(null));
    /** Completed recoveries of the connection: a message is published again at most once per recovery. */
    private final AtomicLong recoveries = new AtomicLong();
    /** Completed by the next recovery (then replaced). */
    private final AtomicReference<CompletableFuture<Void>> nextRecovery = new AtomicReference<>(new CompletableFuture<>());
    /** The last recovery after which a republish was logged at INFO: one line per recovery, the rest at DEBUG. */
    private final AtomicLong republishLogged = new AtomicLong(-1);
    /** From the loss of the connection to the end of its recovery, when channels may be closed without being broken. */
    private volatile boolean recovering;
    private volatile String blockedReason;
    private volatile boolean closed;

    public ConfirmingPublisher(Connection connection, int maxInFlight, int maxChannels, Duration timeout) {
        this.connection = connection;
        this.name = connection.getClientProvidedName() == null ? "eventbus" : connection.getClientProvidedName();
        this.maxChannels = maxChannels;
        this.timeout = timeout;
        this.inFlight = new Semaphore(maxInFlight);
        AtomicInteger threads = new AtomicInteger();
        this.writers = new ThreadPoolExecutor(maxChannels, maxChannels, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> daemon(runnable, "eventbus-publish-" + name + "-" + threads.incrementAndGet()));
        writers.allowCoreThreadTimeOut(true);
        this.deadlines = new ScheduledThreadPoolExecutor(1, runnable -> daemon(runnable, "eventbus-publish-deadlines-" + name));
        deadlines.setRemoveOnCancelPolicy(true);
        // a deadline is met within a tenth of the timeout (50 ms at most) by a sweep, not a timer per message
        long sweep = Math.max(1, Math.min(50, timeout.toMillis() / 10));
        deadlines.scheduleWithFixedDelay(this::failOverdue, sweep, sweep, TimeUnit.MILLISECONDS);
        connection.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                recovering = true;
            }
        });
        if (connection instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recovered) {
                    recovering = false;
                    recoveries.incrementAndGet();
                    nextRecovery.getAndSet(new CompletableFuture<>()).complete(null);
                    log.info("connection {} recovered; publishing resumes", name);
                }

                @Override
                public void handleRecoveryStarted(Recoverable recovering) {
                    // nothing to do until it has recovered
                }
            });
        }
        connection.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                blockedReason = reason;
                unblocked.set(new CompletableFuture<>());
                log.warn("the broker blocked publishing on connection {}: {}", name, reason);
            }

            @Override
            public void handleUnblocked() {
                blockedReason = null;
                unblocked.get().complete(null);
                log.info("the broker unblocked publishing on connection {}", name);
            }
        });
    }

    /**
     * On the deadline thread: drops the settled attempts and fails those past their deadline. The queue holds at most
     * the messages in flight and those settled since the last sweep, so a full pass is cheap.
     */
    private void failOverdue() {
        long now = System.nanoTime();
        for (var iterator = awaitingDeadline.iterator(); iterator.hasNext(); ) {
            Attempt attempt = iterator.next();
            try {
                if (!attempt.confirm.isDone()) {
                    if (now - attempt.deadline < 0) {
                        continue;
                    }
                    attempt.confirm.completeExceptionally(attempt.timedOut(null, null));
                }
            } catch (RuntimeException e) {
                // a periodic task that throws is never run again: one bad description must not stop every deadline
                attempt.confirm.completeExceptionally(e);
                log.warn("failing an overdue publish failed", e);
            }
            iterator.remove();
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Publishes and waits for the broker's confirm, {@code timeout} at most. If the connection is lost before the
     * confirm arrives, waits for recovery and publishes again (at-least-once: the broker may then hold two copies),
     * once per completed recovery, until the deadline.
     *
     * @throws UnroutableMessageException   if {@code mandatory} and no queue is bound to the routing key
     * @throws PublishNotConfirmedException if the broker nacked it, a channel error closed the channel, it could not
     *                                      be sent, or no confirm arrived before the deadline
     * @throws PublishException             if the connection stayed blocked by a broker alarm until the deadline
     */
    public void publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties, byte[] body,
                        String description) {
        publish(exchange, routingKey, mandatory, properties, body, () -> description);
    }

    /**
     * As {@link #publish(String, String, boolean, AMQP.BasicProperties, byte[], String)}, the message's description
     * (for errors and logs) made only when one needs it.
     */
    public void publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties, byte[] body,
                        Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean isolated = false;
        while (true) {
            long epoch = recoveries.get();
            Attempt attempt = isolated
                    ? submit(deadline, description, false, target -> publishIsolated(exchange, routingKey, mandatory, properties, body, description))
                    : submit(deadline, description, false, target -> publishOnPool(exchange, routingKey, mandatory, properties, body, description, deadline, target));
            try {
                attempt.confirm.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof PublishNotConfirmedException notConfirmed && notConfirmed.connectionLost()
                        && awaitRecoveryAfter(epoch, deadline)) {
                    logRepublish(description);
                    continue;
                }
                if (e.getCause() instanceof PublishNotConfirmedException notConfirmed && notConfirmed.channelClosed() && !isolated) {
                    // the channel error may be another message's: once more, alone on a channel of its own, where
                    // only its own error can close the channel
                    isolated = true;
                    log.debug("{} was not confirmed because a channel error closed its channel; publishing it again alone",
                            description.get());
                    continue;
                }
                if (e.getCause() instanceof EventBusException failure) {
                    throw failure;
                }
                throw new PublishException(description.get() + " failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw attempt.timedOut(exchange, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                attempt.abandon();
                throw new PublishException(description.get() + " was interrupted while waiting for its confirm", e);
            }
        }
    }

    private void logRepublish(Supplier<String> description) {
        long epoch = recoveries.get();
        if (republishLogged.getAndSet(epoch) != epoch) {
            log.info("connection {} recovered: publishing again the messages it lost before their confirm ({} first)", name,
                    description.get());
        } else {
            log.debug("{} was not confirmed before the connection was lost; publishing it again", description.get());
        }
    }

    /** Whether the broker blocks publishing on this connection now (a memory or disk alarm). */
    public boolean isBlocked() {
        return !unblocked.get().isDone();
    }

    /** Completes when the broker no longer blocks publishing (at once if it does not now). */
    public CompletableFuture<Void> whenUnblocked() {
        return unblocked.get();
    }

    /**
     * Publishes without waiting; the future completes with the confirm, or fails at the latest {@code timeout} after
     * this call. One attempt: no republish on connection loss. Blocks only while an alarm holds publishing or every
     * in-flight slot is taken, until the deadline.
     */
    public CompletableFuture<Void> publishAsync(String exchange, String routingKey, boolean mandatory,
                                                AMQP.BasicProperties properties, byte[] body, String description) {
        return publishAsync(exchange, routingKey, mandatory, properties, body, () -> description);
    }

    /**
     * As {@link #publishAsync(String, String, boolean, AMQP.BasicProperties, byte[], String)}, the message's description
     * (for errors and logs) made only when one needs it: nothing is described per message on the way to a confirm.
     */
    public CompletableFuture<Void> publishAsync(String exchange, String routingKey, boolean mandatory,
                                                AMQP.BasicProperties properties, byte[] body, Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return submit(deadline, description, true,
                target -> publishOnPool(exchange, routingKey, mandatory, properties, body, description, deadline, target)).confirm;
    }

    /**
     * Publishes several bodies in this order on one channel, so the broker keeps their order, without waiting; one
     * future per body, each failing at the latest {@code timeout} after this call. A body that cannot be sent (the
     * channel closed midway) gets a failed future.
     */
    public List<CompletableFuture<Void>> publishInOrder(String exchange, String routingKey, boolean mandatory,
                                                 AMQP.BasicProperties properties, List<byte[]> bodies, String description) {
        List<Outbound> messages = new ArrayList<>(bodies.size());
        for (byte[] body : bodies) {
            messages.add(new Outbound(exchange, routingKey, mandatory, properties, body, () -> description));
        }
        return publishInOrder(messages);
    }

    /** One message to publish: where, how, what, and how to name it in errors (described only when needed). */
    public record Outbound(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties, byte[] body,
                           Supplier<String> description) {

        /** A message with a description made already. */
        public Outbound(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties, byte[] body,
                        String description) {
            this(exchange, routingKey, mandatory, properties, body, () -> description);
        }
    }

    /**
     * Publishes several messages in this order on one channel, so the broker keeps their order, without waiting; one
     * future per message. A message that cannot be sent (the channel closed midway) gets a failed future.
     */
    public List<CompletableFuture<Void>> publishInOrder(List<Outbound> messages) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<CompletableFuture<Void>> confirms = new ArrayList<>(messages.size());
        List<Attempt> attempts = new ArrayList<>();
        List<Outbound> sent = new ArrayList<>();
        for (Outbound message : messages) {
            Attempt attempt = new Attempt(message.description());
            confirms.add(attempt.confirm);
            try {
                takeSlot(deadline, message.description());
            } catch (EventBusException e) {
                attempt.confirm.completeExceptionally(e);
                continue;
            }
            attempts.add(attempt);
            sent.add(message);
        }
        if (attempts.isEmpty()) {
            return confirms;
        }
        Runnable task = () -> {
            PublisherChannel[] channel = {null};
            try {
                for (int i = 0; i < attempts.size(); i++) {
                    Outbound message = sent.get(i);
                    attempts.get(i).run(deadline, target -> {
                        try {
                            if (channel[0] == null) {
                                channel[0] = acquire(deadline);
                            }
                            return channel[0].publish(message.exchange(), message.routingKey(), message.mandatory(),
                                    message.properties(), message.body(), message.description());
                        } catch (IOException | RuntimeException e) {
                            inFlight.release();
                            return CompletableFuture.failedFuture(notSent(message.description(), e, true));
                        }
                    });
                }
            } finally {
                if (channel[0] != null) {
                    release(channel[0]);
                }
            }
        };
        dispatch(task, attempts, deadline, true);
        return confirms;
    }

    /**
     * Takes an in-flight slot (on the caller's thread: this is the back-pressure) and hands the send to a writer.
     *
     * @param scheduleDeadline whether the returned future fails by itself at the deadline (for callers that do not wait)
     */
    private Attempt submit(long deadline, Supplier<String> description, boolean scheduleDeadline,
                           Function<CompletableFuture<Void>, CompletableFuture<Void>> send) {
        Attempt attempt = new Attempt(description);
        try {
            takeSlot(deadline, description);
        } catch (EventBusException e) {
            attempt.confirm.completeExceptionally(e);
            return attempt;
        }
        dispatch(() -> attempt.run(deadline, send), List.of(attempt), deadline, scheduleDeadline);
        return attempt;
    }

    private void dispatch(Runnable task, List<Attempt> attempts, long deadline, boolean scheduleDeadline) {
        if (scheduleDeadline) {
            for (Attempt attempt : attempts) {
                attempt.failAt(deadline);
            }
        }
        try {
            writers.execute(task);
        } catch (RejectedExecutionException e) {
            for (Attempt attempt : attempts) {
                attempt.abandon();
                attempt.confirm.completeExceptionally(new EventBusStoppedException(attempt.description.get()
                        + " was not published: the bus is stopped; build a new bus"));
            }
        }
    }

    /**
     * On a writer thread: publishes on an idle channel, trying another if a channel error closed it before use. The
     * channel completes {@code target} with the confirm (the one future of the message), which is returned.
     */
    private CompletableFuture<Void> publishOnPool(String exchange, String routingKey, boolean mandatory,
                                                  AMQP.BasicProperties properties, byte[] body, Supplier<String> description,
                                                  long deadline, CompletableFuture<Void> target) {
        RuntimeException notSent = null;
        for (int attempt = 0; attempt <= maxChannels; attempt++) {
            PublisherChannel channel = null;
            try {
                channel = acquire(deadline);
                return channel.publish(exchange, routingKey, mandatory, properties, body, description, target);
            } catch (AlreadyClosedException e) {
                notSent = e;
                if (connectionDown()) {
                    break;
                }
                // a channel error (another message's) closed this channel before we could use it: the message was
                // not sent, so another channel takes it
            } catch (IOException | RuntimeException e) {
                inFlight.release();
                return CompletableFuture.failedFuture(notSent(description, e, false));
            } finally {
                if (channel != null) {
                    release(channel);
                }
            }
        }
        inFlight.release();
        return CompletableFuture.failedFuture(notSent(description, notSent, false));
    }

    /** On a writer thread: publishes one message on a temporary channel of its own, closed once the message is settled. */
    private CompletableFuture<Void> publishIsolated(String exchange, String routingKey, boolean mandatory,
                                                    AMQP.BasicProperties properties, byte[] body, Supplier<String> description) {
        PublisherChannel alone;
        try {
            alone = new PublisherChannel(connection, inFlight::release, this::connectionUp);
        } catch (IOException | RuntimeException e) {
            inFlight.release();
            return CompletableFuture.failedFuture(notSent(description, e, false));
        }
        try {
            return alone.publish(exchange, routingKey, mandatory, properties, body, description)
                    .whenComplete((ok, failure) -> alone.closeAsync());
        } catch (IOException | RuntimeException e) {
            inFlight.release();
            alone.close();
            return CompletableFuture.failedFuture(notSent(description, e, false));
        }
    }

    /**
     * Waits for a broker alarm to clear and for an in-flight slot, until the deadline.
     *
     * @throws EventBusException why no slot was taken (stopped, blocked, too many in flight, interrupted)
     */
    private void takeSlot(long deadline, Supplier<String> description) {
        if (closed) {
            throw new EventBusStoppedException(description.get() + " was not published: the bus is stopped; build a new bus");
        }
        try {
            awaitUnblocked(deadline, description);
            if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new PublishNotConfirmedException(description.get() + " was not published: no confirm slot freed within "
                        + timeout.toMillis() + " ms (too many unconfirmed messages in flight)", false, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException(description.get() + " was interrupted before publishing", e);
        }
    }

    private boolean connectionUp() {
        return connection.isOpen() && !recovering;
    }

    private boolean connectionDown() {
        return !connectionUp();
    }

    /** A message that never left: the connection is down, or its channel closed under it (channelClosed). */
    private PublishNotConfirmedException notSent(Supplier<String> description, Exception cause, boolean channelClosed) {
        boolean connectionDown = connectionDown();
        String why = connectionDown ? "the connection is down, waiting for recovery"
                : cause instanceof IllegalArgumentException && String.valueOf(cause.getMessage()).contains("max frame size")
                ? "its properties and headers do not fit in one frame (" + cause.getMessage() + "): publish it with fewer or "
                + "shorter headers (FrameLimits.fitToFrame bounds them)"
                : String.valueOf(cause.getMessage());
        return new PublishNotConfirmedException(description.get() + " could not be sent: " + why, connectionDown,
                channelClosed && !connectionDown, cause);
    }

    private void awaitUnblocked(long deadline, Supplier<String> description) throws InterruptedException {
        CompletableFuture<Void> gate = unblocked.get();
        if (gate.isDone()) {
            return;
        }
        try {
            gate.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new PublishException(description.get() + " was not published: the broker has blocked this connection ("
                    + blockedReason + ") for over " + timeout.toMillis() + " ms. A memory or disk alarm is raised on the broker: "
                    + "free memory or disk there (or consume the backlog); publishing resumes when the alarm clears");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the connection has recovered (its channels and topology too: the client's RecoveryListener says so)
     * more often than the given count of recoveries, until the deadline.
     */
    private boolean awaitRecoveryAfter(long epoch, long deadline) {
        while (!closed) {
            CompletableFuture<Void> next = nextRecovery.get();
            if (recoveries.get() > epoch) {
                return !closed;
            }
            try {
                next.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private PublisherChannel acquire(long deadline) throws IOException {
        while (true) {
            PublisherChannel channel = idle.poll();
            if (channel == null) {
                if (opened.incrementAndGet() <= maxChannels) {
                    try {
                        channel = new PublisherChannel(connection, inFlight::release, this::connectionUp);
                        channels.add(channel);
                        return channel;
                    } catch (IOException | RuntimeException e) {
                        opened.decrementAndGet();
                        throw e;
                    }
                }
                opened.decrementAndGet();
                try {
                    channel = idle.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PublishException("interrupted while waiting for a publisher channel", e);
                }
                if (channel == null) {
                    throw new PublishException("no publisher channel became free within " + timeout.toMillis() + " ms");
                }
            }
            if (channel.isBroken()) {
                discard(channel);
                continue;
            }
            return channel;
        }
    }

    private void release(PublisherChannel channel) {
        if (channel.isBroken() || closed) {
            discard(channel);
        } else {
            idle.offer(channel);
        }
    }

    private void discard(PublisherChannel channel) {
        if (channels.remove(channel)) {
            opened.decrementAndGet();
            // confirms of messages published before it broke may still come: it closes once they are settled
            channel.retire();
        }
    }

    @Override
    public void close() {
        closed = true;
        writers.shutdown();
        deadlines.shutdownNow();
        for (PublisherChannel channel : channels) {
            channel.close();
        }
        channels.clear();
        idle.clear();
        nextRecovery.get().complete(null);
    }

    /**
     * One send of one message: queued for a writer, being written, or sent; the caller may abandon it at its deadline,
     * and one still queued then is not sent. {@code confirm} completes with the broker's verdict.
     */
    private final class Attempt {
        private static final int QUEUED = 0;
        private static final int WRITING = 1;
        private static final int SENT = 2;
        private static final int ABANDONED = 3;

        final Supplier<String> description;
        final CompletableFuture<Void> confirm = new CompletableFuture<>();
        final AtomicInteger state = new AtomicInteger(QUEUED);
        /** When {@link #failOverdue} fails it, once {@link #failAt} queued it. */
        long deadline;
        Attempt(Supplier<String> description) {
            this.description = description;
        }

        /** On a writer thread: sends unless abandoned or past the deadline; links the confirm. */
        void run(long deadline, Function<CompletableFuture<Void>, CompletableFuture<Void>> send) {
            if (System.nanoTime() - deadline >= 0) {
                confirm.completeExceptionally(timedOut(null, null));
                return;
            }
            if (!state.compareAndSet(QUEUED, WRITING)) {
                return; // abandoned by its caller, who freed its slot
            }
            CompletableFuture<Void> sent = send.apply(confirm);
            state.compareAndSet(WRITING, SENT);
            if (sent == confirm) {
                return; // the channel completes it: one future per message
            }
            sent.whenComplete((ok, failure) -> {
                if (failure == null) {
                    confirm.complete(null);
                } else {
                    confirm.completeExceptionally(failure);
                }
            });
        }

        /** Gives up on it: true if it was still queued, so it will never be sent; its slot is freed then. */
        boolean abandon() {
            if (state.compareAndSet(QUEUED, ABANDONED)) {
                inFlight.release();
                return true;
            }
            return false;
        }

        /**
         * Fails the confirm by itself at the deadline (for callers that do not wait): queued for the sweep, which fails it
         * then if it is not settled (rather than a timer per message, scheduled and cancelled).
         */
        void failAt(long deadline) {
            this.deadline = deadline;
            awaitingDeadline.add(this);
        }

        /** The failure of a caller whose deadline passed; abandons the attempt if it was still queued. */
        PublishNotConfirmedException timedOut(String exchange, TimeoutException cause) {
            boolean neverSent = abandon() || state.get() == ABANDONED;
            String where = exchange == null ? "" : " to exchange '" + exchange + "'";
            String why;
            if (neverSent) {
                why = "it was never sent (it waited for a writer all that time: the connection is not taking writes). "
                        + "It was not delivered";
            } else if (state.get() == WRITING) {
                why = "it was still being written to the connection (a stalled network or a half-open connection; the "
                        + "heartbeat closes such a connection). It may or may not have been delivered";
            } else if (blockedReason != null) {
                why = "the broker has blocked this connection (" + blockedReason + "): a memory or disk alarm is raised on "
                        + "the broker; publishing resumes when it clears. It may or may not have been delivered";
            } else {
                why = "the broker may be overloaded or unreachable. It may or may not have been delivered";
            }
            // not connectionLost: publishing it again would start another full timeout
            return new PublishNotConfirmedException(description.get() + where + " was not confirmed within " + timeout.toMillis()
                    + " ms: " + why, false, cause);
        }
    }
}
