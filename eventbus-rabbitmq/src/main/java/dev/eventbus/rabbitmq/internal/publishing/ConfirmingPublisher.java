package dev.eventbus.rabbitmq.internal.publishing;

import dev.eventbus.rabbitmq.PublishException;
import dev.eventbus.rabbitmq.PublishNotConfirmedException;
import dev.eventbus.rabbitmq.UnroutableMessageException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.EventBusStoppedException;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with publisher confirms over a small pool of channels, never sharing a channel between two
 * threads at once, with a bounded number of unconfirmed messages in flight.
 *
 * <p>Thread-safe. A thread takes an idle channel (opening one while fewer than {@code maxChannels} exist),
 * publishes, and gives it back before the confirm arrives, so one channel carries many messages in flight.
 * Futures complete on the client's connection thread: code chained on them must not block.
 *
 * <p>What the client's automatic recovery does not cover, this class does: a channel closed by a channel error
 * (e.g. a missing exchange) is never recovered, so it is dropped and replaced; unconfirmed messages of a channel
 * that closed fail with {@link PublishNotConfirmedException}; {@link #publish} waits for a lost connection to
 * recover and publishes again until its timeout; a connection blocked by a broker alarm holds publishers until
 * the alarm clears or the timeout passes. A message whose channel a channel error closed before its confirm (perhaps
 * another message's error) is published once more alone on a temporary channel: an innocent message goes through,
 * the one that caused the error fails again the same way and is reported.
 */
public final class ConfirmingPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);

    private final Connection connection;
    private final int maxChannels;
    private final Duration timeout;
    private final Semaphore inFlight;
    private final LinkedBlockingQueue<PublisherChannel> idle = new LinkedBlockingQueue<>();
    private final List<PublisherChannel> channels = new CopyOnWriteArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicReference<CompletableFuture<Void>> unblocked = new AtomicReference<>(CompletableFuture.completedFuture(null));
    /** Completed while the connection is up; replaced by a pending one when it is lost, completed on recovery. */
    private final AtomicReference<CompletableFuture<Void>> connected = new AtomicReference<>(CompletableFuture.completedFuture(null));
    private volatile String blockedReason;
    private volatile boolean closed;

    public ConfirmingPublisher(Connection connection, int maxInFlight, int maxChannels, Duration timeout) {
        this.connection = connection;
        this.maxChannels = maxChannels;
        this.timeout = timeout;
        this.inFlight = new Semaphore(maxInFlight);
        connection.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                connected.updateAndGet(current -> current.isDone() ? new CompletableFuture<>() : current);
            }
        });
        if (connection instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recovered) {
                    connected.get().complete(null);
                    log.info("connection {} recovered; publishing resumes", connection.getClientProvidedName());
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
                log.warn("the broker blocked publishing on connection {}: {}", connection.getClientProvidedName(), reason);
            }

            @Override
            public void handleUnblocked() {
                blockedReason = null;
                unblocked.get().complete(null);
                log.info("the broker unblocked publishing on connection {}", connection.getClientProvidedName());
            }
        });
    }

    /**
     * Publishes and waits for the broker's confirm. If the connection is lost before the confirm arrives, waits
     * for recovery and publishes again (at-least-once: the broker may then hold two copies) until the timeout.
     *
     * @throws UnroutableMessageException   if {@code mandatory} and no queue is bound to the routing key
     * @throws PublishNotConfirmedException if the broker nacked it, a channel error closed the channel, or no
     *                                      confirm arrived within the timeout
     * @throws PublishException             if the connection stayed blocked by a broker alarm for the whole timeout
     */
    public void publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties, byte[] body,
                 String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean isolated = false;
        while (true) {
            CompletableFuture<Void> confirm = isolated
                    ? publishIsolated(exchange, routingKey, mandatory, properties, body, description)
                    : publishAsync(exchange, routingKey, mandatory, properties, body, description, deadline);
            try {
                confirm.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof PublishNotConfirmedException notConfirmed && notConfirmed.connectionLost()
                        && awaitConnection(deadline)) {
                    log.info("{} was not confirmed before the connection was lost; publishing it again", description);
                    continue;
                }
                if (e.getCause() instanceof PublishNotConfirmedException notConfirmed && notConfirmed.channelClosed() && !isolated) {
                    // the channel error may be another message's: once more, alone on a channel of its own, where
                    // only its own error can close the channel
                    isolated = true;
                    log.debug("{} was not confirmed because a channel error closed its channel; publishing it again alone",
                            description);
                    continue;
                }
                if (e.getCause() instanceof EventBusException failure) {
                    throw failure;
                }
                throw new PublishException(description + " failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                String why = blockedReason != null ? "the broker has blocked this connection (" + blockedReason + "): a memory or "
                        + "disk alarm is raised on the broker; publishing resumes when it clears"
                        : "the broker may be overloaded or unreachable";
                throw new PublishNotConfirmedException(description + " to exchange '" + exchange + "' was not confirmed within "
                        + timeout.toMillis() + " ms: " + why + ". It may or may not have been delivered", true, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishException(description + " was interrupted while waiting for its confirm", e);
            }
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

    /** Publishes without waiting; the future completes with the confirm. One attempt: no republish on connection loss. */
    public CompletableFuture<Void> publishAsync(String exchange, String routingKey, boolean mandatory,
                                         AMQP.BasicProperties properties, byte[] body, String description) {
        return publishAsync(exchange, routingKey, mandatory, properties, body, description, System.nanoTime() + timeout.toNanos());
    }

    private CompletableFuture<Void> publishAsync(String exchange, String routingKey, boolean mandatory,
                                                 AMQP.BasicProperties properties, byte[] body, String description, long deadline) {
        try {
            takeSlot(deadline, description);
        } catch (EventBusException e) {
            return CompletableFuture.failedFuture(e);
        }
        RuntimeException notSent = null;
        for (int attempt = 0; attempt <= maxChannels; attempt++) {
            PublisherChannel channel = null;
            try {
                channel = acquire();
                return channel.publish(exchange, routingKey, mandatory, properties, body, description);
            } catch (com.rabbitmq.client.AlreadyClosedException e) {
                if (!connection.isOpen()) {
                    notSent = e;
                    break;
                }
                // a channel error (another message's) closed this channel before we could use it: the message was
                // not sent, so another channel takes it
                notSent = e;
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

    /**
     * Waits for a broker alarm to clear and for an in-flight slot, until the deadline.
     *
     * @throws EventBusException why no slot was taken (stopped, blocked, too many in flight, interrupted)
     */
    private void takeSlot(long deadline, String description) {
        if (closed) {
            throw new EventBusStoppedException(description + " was not published: the bus is stopped; build a new bus");
        }
        try {
            awaitUnblocked(deadline, description);
            if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new PublishNotConfirmedException(description + " was not published: no confirm slot freed within "
                        + timeout.toMillis() + " ms (too many unconfirmed messages in flight)", true, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException(description + " was interrupted before publishing", e);
        }
    }

    /** A message that never left: the connection is down, or its channel closed under it (channelClosed). */
    private PublishNotConfirmedException notSent(String description, Exception cause, boolean channelClosed) {
        boolean connectionDown = !connection.isOpen();
        return new PublishNotConfirmedException(description + " could not be sent: "
                + (connectionDown ? "the connection is down, waiting for recovery" : cause.getMessage()), connectionDown,
                channelClosed && !connectionDown, cause);
    }

    /**
     * Publishes several bodies in this order on one channel, so the broker keeps their order, without waiting; one
     * future per body. A body that cannot be sent (the channel closed midway) gets a failed future.
     */
    public List<CompletableFuture<Void>> publishInOrder(String exchange, String routingKey, boolean mandatory,
                                                 AMQP.BasicProperties properties, List<byte[]> bodies, String description) {
        List<CompletableFuture<Void>> confirms = new java.util.ArrayList<>(bodies.size());
        long deadline = System.nanoTime() + timeout.toNanos();
        PublisherChannel channel = null;
        try {
            for (byte[] body : bodies) {
                try {
                    takeSlot(deadline, description);
                } catch (EventBusException e) {
                    confirms.add(CompletableFuture.failedFuture(e));
                    continue;
                }
                try {
                    if (channel == null) {
                        channel = acquire();
                    }
                    confirms.add(channel.publish(exchange, routingKey, mandatory, properties, body, description));
                } catch (IOException | RuntimeException e) {
                    inFlight.release();
                    confirms.add(CompletableFuture.failedFuture(notSent(description, e, true)));
                }
            }
        } finally {
            if (channel != null) {
                release(channel);
            }
        }
        return confirms;
    }

    /** Publishes one message on a temporary channel of its own, closed once the message is settled. */
    private CompletableFuture<Void> publishIsolated(String exchange, String routingKey, boolean mandatory,
                                                    AMQP.BasicProperties properties, byte[] body, String description) {
        PublisherChannel alone;
        try {
            alone = new PublisherChannel(connection, () -> { });
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(notSent(description, e, false));
        }
        try {
            return alone.publish(exchange, routingKey, mandatory, properties, body, description)
                    .whenComplete((ok, failure) -> alone.closeAsync());
        } catch (IOException | RuntimeException e) {
            alone.close();
            return CompletableFuture.failedFuture(notSent(description, e, false));
        }
    }

    private void awaitUnblocked(long deadline, String description) throws InterruptedException {
        CompletableFuture<Void> gate = unblocked.get();
        if (gate.isDone()) {
            return;
        }
        try {
            gate.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new PublishException(description + " was not published: the broker has blocked this connection ("
                    + blockedReason + ") for over " + timeout.toMillis() + " ms. A memory or disk alarm is raised on the broker: "
                    + "free memory or disk there (or consume the backlog); publishing resumes when the alarm clears");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the connection, its channels and topology have recovered (the client's RecoveryListener says so). */
    private boolean awaitConnection(long deadline) {
        if (closed) {
            return false;
        }
        try {
            connected.get().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return !closed;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private PublisherChannel acquire() throws IOException {
        while (true) {
            PublisherChannel channel = idle.poll();
            if (channel == null) {
                if (opened.incrementAndGet() <= maxChannels) {
                    try {
                        channel = new PublisherChannel(connection, inFlight::release);
                        channels.add(channel);
                        return channel;
                    } catch (IOException | RuntimeException e) {
                        opened.decrementAndGet();
                        throw e;
                    }
                }
                opened.decrementAndGet();
                try {
                    channel = idle.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
            channel.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (PublisherChannel channel : channels) {
            channel.close();
        }
        channels.clear();
        idle.clear();
    }
}
