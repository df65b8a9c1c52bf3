package dev.eventbus.rabbitmq.internal.consuming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelSettlements}: many threads settling on one channel get every settlement written exactly once, as the
 * right method, without any thread waiting for another's write, and a closed channel loses nothing but a log line.
 */
class ChannelSettlementsTest {

    /** A channel recording basicAck / basicReject as "ack 7", "reject 7", "requeue 7"; each write takes 1 ms. */
    private static final class RecordingChannel {
        final List<String> written = new CopyOnWriteArrayList<>();
        final AtomicInteger writingNow = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        volatile boolean closed;
        final Channel channel = (Channel) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Channel.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "basicAck", "basicReject" -> {
                            if (closed) {
                                throw new AlreadyClosedException(new ShutdownSignalException(false, false, null, proxy));
                            }
                            mostAtOnce.accumulateAndGet(writingNow.incrementAndGet(), Math::max);
                            try {
                                Thread.sleep(1);
                                String kind = method.getName().equals("basicAck") ? "ack"
                                        : (Boolean) args[1] ? "requeue" : "reject";
                                written.add(kind + " " + args[0]);
                            } finally {
                                writingNow.decrementAndGet();
                            }
                            return null;
                        }
                        case "isOpen" -> {
                            return !closed;
                        }
                        default -> {
                            return null;
                        }
                    }
                });
    }

    @Test
    void everySettlementOfManyThreadsIsWrittenOnceAsItsKindOneWriterAtATime() throws Exception {
        RecordingChannel recording = new RecordingChannel();
        ChannelSettlements settlements = new ChannelSettlements(recording.channel);
        int threads = 8;
        int each = 100;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t * each + 1;
            workers.add(new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long tag = first; tag < first + each; tag++) {
                    switch ((int) (tag % 3)) {
                        case 0 -> settlements.ack(tag);
                        case 1 -> settlements.reject(tag);
                        default -> settlements.requeue(tag);
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        go.countDown();
        for (Thread worker : workers) {
            worker.join(30_000);
        }

        assertEquals(threads * each, recording.written.size(), "every settlement written once");
        Map<Long, String> byTag = new ConcurrentHashMap<>();
        for (String line : recording.written) {
            String[] parts = line.split(" ");
            String previous = byTag.put(Long.parseLong(parts[1]), parts[0]);
            assertEquals(null, previous, "tag " + parts[1] + " written twice");
        }
        for (long tag = 1; tag <= threads * each; tag++) {
            String expected = tag % 3 == 0 ? "ack" : tag % 3 == 1 ? "reject" : "requeue";
            assertEquals(expected, byTag.get(tag), "tag " + tag);
        }
        assertEquals(1, recording.mostAtOnce.get(), "one thread writes at a time; the others queued and went on");
    }

    @Test
    void aThreadsOwnSettlementsAreWrittenInTheOrderItQueuedThem() {
        RecordingChannel recording = new RecordingChannel();
        ChannelSettlements settlements = new ChannelSettlements(recording.channel);

        settlements.ack(3);
        settlements.requeue(1);
        settlements.reject(2);

        assertEquals(List.of("ack 3", "requeue 1", "reject 2"), recording.written);
    }

    @Test
    void aClosedChannelDropsTheSettlementAndTheNextOnesStillGetWritten() {
        RecordingChannel recording = new RecordingChannel();
        ChannelSettlements settlements = new ChannelSettlements(recording.channel);
        recording.closed = true;

        settlements.ack(1); // the broker puts an unsettled delivery back by itself: logged, not thrown
        recording.closed = false;
        settlements.ack(2);

        assertEquals(List.of("ack 2"), recording.written);
        assertTrue(settlements.isOpen());
    }
}
