package dev.eventbus.rabbitmq.internal.publishing;

import dev.eventbus.rabbitmq.PublishNotConfirmedException;
import dev.eventbus.rabbitmq.UnroutableMessageException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel in confirm mode and the publishes awaiting its confirms. Publishing on it is guarded by
 * {@link #lock}, so a sequence number and its publish are never interleaved with another thread's; confirms,
 * returns and the shutdown signal arrive on the client's connection thread and complete the futures.
 *
 * <p>Confirms are matched to publishes by the client's sequence numbers, which the broker's delivery tags follow only
 * while every number the client takes goes with a message the broker receives. The client takes the number before
 * sending, so a {@code basicPublish} that throws (e.g. "Content headers exceeded max frame size") leaves a number the
 * broker never saw, and every later confirm on the channel would be credited to the message before it. Such a channel
 * is therefore retired: nothing more is published on it, the publishes before the failure still get their (correct)
 * confirms, and it closes once they are settled.
 */
public final class PublisherChannel {

    private static final Logger log = LoggerFactory.getLogger(PublisherChannel.class);

    /** A publish awaiting its confirm. {@code returnedReason} is set by a basic.return, which precedes the ack. */
    static final class Pending {
        final String messageId;
        final String exchange;
        final String routingKey;
        final Supplier<String> description;
        final CompletableFuture<Void> future;
        volatile String returnedReason;

        Pending(String messageId, String exchange, String routingKey, Supplier<String> description,
                CompletableFuture<Void> future) {
            this.future = future;
            this.messageId = messageId;
            this.exchange = exchange;
            this.routingKey = routingKey;
            this.description = description;
        }
    }

    private final Channel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final Runnable onSettled;
    private final java.util.function.BooleanSupplier connectionUp;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean broken;

    /**
     * Opens a channel in confirm mode on the connection.
     *
     * @param onSettled    called once for every publish that is settled (acked, nacked or failed), to free its in-flight slot
     * @param connectionUp whether the connection is up and not recovering: a channel closed then was closed for good
     */
    public PublisherChannel(Connection connection, Runnable onSettled, java.util.function.BooleanSupplier connectionUp) throws IOException {
        this.onSettled = onSettled;
        this.connectionUp = connectionUp;
        this.channel = connection.createChannel();
        channel.confirmSelect();
        channel.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long deliveryTag, boolean multiple) {
                settle(deliveryTag, multiple, null);
            }

            @Override
            public void handleNack(long deliveryTag, boolean multiple) {
                settle(deliveryTag, multiple, "the broker nacked it (an internal error in the queue or broker)");
            }
        });
        channel.addReturnListener(this::returned);
        channel.addShutdownListener(this::shutdown);
    }

    /**
     * Publishes under the channel's lock and registers the pending confirm. The caller holds an in-flight slot.
     *
     * @return the future completed by the confirm
     * @throws IOException if the client could not send it (the future is not registered then, and the channel is
     *                     retired: see the type's description)
     * @throws IllegalArgumentException if the client refused it before sending (headers over the frame size): the
     *                     channel is retired too
     */
    public CompletableFuture<Void> publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties,
                                    byte[] body, Supplier<String> description) throws IOException {
        return publish(exchange, routingKey, mandatory, properties, body, description, new CompletableFuture<>());
    }

    /**
     * As {@link #publish(String, String, boolean, AMQP.BasicProperties, byte[], Supplier)}, completing the caller's
     * future with the confirm (so a message has one future, not one per layer); returns it.
     */
    public CompletableFuture<Void> publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties,
                                    byte[] body, Supplier<String> description, CompletableFuture<Void> future) throws IOException {
        Pending entry = new Pending(properties.getMessageId(), exchange, routingKey, description, future);
        lock.lock();
        try {
            long sequence = channel.getNextPublishSeqNo();
            pending.put(sequence, entry);
            try {
                channel.basicPublish(exchange, routingKey, mandatory, properties, body);
            } catch (IOException | RuntimeException e) {
                pending.remove(sequence);
                if (channel.getNextPublishSeqNo() != sequence) {
                    // the client took a sequence number the broker never saw: later confirms would be off by one
                    log.debug("retiring publisher channel {}: a publish failed after taking sequence number {}",
                            channel.getChannelNumber(), sequence);
                }
                retire();
                throw e;
            }
        } finally {
            lock.unlock();
        }
        return entry.future;
    }

    /** Whether this channel was closed for good (a channel error, or closed by us): it will not recover. */
    public boolean isBroken() {
        // closed while its connection is up (not recovering): a channel error, which automatic recovery never repairs
        return broken || !channel.isOpen() && connectionUp.getAsBoolean();
    }

    /**
     * Takes the channel out of use: nothing more is published on it, and it closes once every publish awaiting a confirm
     * on it is settled (at once if none is). Idempotent.
     */
    public void retire() {
        broken = true;
        if (pending.isEmpty()) {
            closeAsync();
        }
    }

    private void settle(long deliveryTag, boolean multiple, String nackReason) {
        Map<Long, Pending> settled = multiple ? pending.headMap(deliveryTag, true) : singleton(deliveryTag);
        for (var iterator = settled.entrySet().iterator(); iterator.hasNext(); ) {
            Pending entry = iterator.next().getValue();
            iterator.remove();
            complete(entry, nackReason);
        }
        if (broken && pending.isEmpty()) {
            closeAsync();
        }
    }

    private Map<Long, Pending> singleton(long deliveryTag) {
        return pending.subMap(deliveryTag, true, deliveryTag, true);
    }

    private void complete(Pending entry, String nackReason) {
        try {
            if (nackReason != null) {
                entry.future.completeExceptionally(new PublishNotConfirmedException(entry.description.get() + " to exchange '"
                        + entry.exchange + "' with routing key '" + entry.routingKey + "' was not confirmed: " + nackReason
                        + "; publish it again", false, null));
            } else if (entry.returnedReason != null) {
                entry.future.completeExceptionally(new UnroutableMessageException(entry.description.get() + " was returned by the broker ("
                        + entry.returnedReason + "): no queue is bound to routing key '" + entry.routingKey + "' on exchange '"
                        + entry.exchange + "'. Configure the subscribers of this message (or the store queue) before publishing it",
                        entry.exchange, entry.routingKey));
            } else {
                entry.future.complete(null);
            }
        } finally {
            onSettled.run();
        }
    }

    private void returned(Return returned) {
        String messageId = returned.getProperties().getMessageId();
        for (Pending entry : pending.values()) {
            if (entry.returnedReason == null && java.util.Objects.equals(entry.messageId, messageId)
                    && entry.routingKey.equals(returned.getRoutingKey())) {
                entry.returnedReason = returned.getReplyCode() + " " + returned.getReplyText();
                return;
            }
        }
        log.warn("the broker returned a message (id {}, routing key {}) that no pending publish matches", messageId,
                returned.getRoutingKey());
    }

    private void shutdown(ShutdownSignalException cause) {
        boolean connectionLost = cause.isHardError() && !cause.isInitiatedByApplication();
        if (!cause.isHardError() || cause.isInitiatedByApplication()) {
            broken = true;
        }
        String reason = describe(cause);
        for (var iterator = pending.entrySet().iterator(); iterator.hasNext(); ) {
            Pending entry = iterator.next().getValue();
            iterator.remove();
            try {
                entry.future.completeExceptionally(new PublishNotConfirmedException(entry.description.get() + " to exchange '"
                        + entry.exchange + "' with routing key '" + entry.routingKey + "' was not confirmed: " + reason
                        + (connectionLost ? "; it may or may not have reached the broker" : ""), connectionLost,
                        !cause.isHardError() && !cause.isInitiatedByApplication(), cause));
            } finally {
                onSettled.run();
            }
        }
    }

    /** A readable reason for a channel or connection closing, from the broker's reply. */
    public static String describe(ShutdownSignalException cause) {
        Object reason = cause.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
            String text = close.getReplyText();
            if (close.getReplyCode() == 404) {
                return "the channel was closed by the broker: " + text + " (declare it first: run the configurer)";
            }
            return "the channel was closed by the broker: " + text;
        }
        if (reason instanceof AMQP.Connection.Close close) {
            return "the connection was closed: " + close.getReplyText();
        }
        return "the connection was lost (" + cause.getMessage() + ")";
    }

    /**
     * Closes the channel from another thread: for use in a confirm callback, which runs on the connection's thread
     * and must not wait there for the close-ok.
     */
    public void closeAsync() {
        broken = true;
        if (!closing.get()) {
            java.util.concurrent.CompletableFuture.runAsync(this::close);
        }
    }

    /**
     * Closes the channel; pending publishes fail. Closes even a channel that is closed already (a channel error, a lost
     * connection), so that automatic recovery forgets it. Idempotent.
     */
    public void close() {
        broken = true;
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.close();
        } catch (IOException | java.util.concurrent.TimeoutException | ShutdownSignalException e) {
            log.debug("closing a publisher channel failed", e);
        }
    }
}
