package dev.eventbus.rabbitmq.internal.consuming;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settlements (ack, reject, put back) of one consumer channel, written by whichever thread gets there first.
 *
 * <p>The client writes each frame holding the channel's lock, a socket write included. A handler with a concurrency of
 * 16 settles on one channel from 16 threads: each used to wait for the others' writes (a JFR recording of 1, 4 and 16
 * threads on 2 ms handlers showed them parked in {@code AMQChannel.transmit} 943 times in 5250 acks, 0.37 ms on
 * average). Here a thread queues its settlement and writes the queue only if no other thread is writing it; if one
 * is, that one writes it before it stops (it looks at the queue again after letting go). No handler thread waits for
 * another's write, and a message is still settled only after its handling: the settlement is queued then.
 *
 * <p>Thread-safe. Settlements are written in the order they were queued. A settlement the channel cannot take (it
 * closed) is logged and dropped: the broker puts the unsettled message back in its queue by itself.
 */
public final class ChannelSettlements {

    private static final Logger log = LoggerFactory.getLogger(ChannelSettlements.class);
    private static final long ACK = 0;
    private static final long REJECT = 1;
    private static final long REQUEUE = 2;

    private final Channel channel;
    /** Queued settlements: the delivery tag shifted left by 2, the kind in the low 2 bits. */
    private final ConcurrentLinkedQueue<Long> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    public ChannelSettlements(Channel channel) {
        this.channel = channel;
    }

    /** Acknowledges the delivery: handled, or its copy confirmed. */
    public void ack(long tag) {
        settle(tag, ACK);
    }

    /** Rejects the delivery without putting it back (its copy went to the retry or dead-letter route). */
    public void reject(long tag) {
        settle(tag, REJECT);
    }

    /** Puts the delivery back in its queue (stopping, paused, interrupted). */
    public void requeue(long tag) {
        settle(tag, REQUEUE);
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    public Connection connection() {
        return channel.getConnection();
    }

    private void settle(long tag, long kind) {
        queued.add(tag << 2 | kind);
        // a settlement queued while another thread let go of the writing is seen by that thread's check of the queue
        while (!queued.isEmpty() && writing.compareAndSet(false, true)) {
            try {
                for (Long next = queued.poll(); next != null; next = queued.poll()) {
                    write(next >>> 2, next & 3);
                }
            } finally {
                writing.set(false);
            }
        }
    }

    private void write(long tag, long kind) {
        try {
            if (kind == ACK) {
                channel.basicAck(tag, false);
            } else {
                channel.basicReject(tag, kind == REQUEUE);
            }
        } catch (IOException | RuntimeException e) {
            if (kind == REQUEUE) {
                log.debug("could not requeue delivery {}: {}", tag, e.toString());
            } else {
                log.warn("could not {} delivery {} (the channel closed; the broker redelivers it): {}",
                        kind == ACK ? "ack" : "reject", tag, e.toString());
            }
        }
    }
}
