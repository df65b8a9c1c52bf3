package dev.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.io.IOException;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The consumer of the memory benchmark, run in a JVM of its own so its heap and RSS are its own: consumes a backlog
 * that is already in its queue (raw client or library, prefetch {@value EndToEnd#PREFETCH}, one consumer), samples
 * memory every 20 ms while consuming, and prints one {@code RESULT} line for {@link Memory} to read.
 *
 * <p>Arguments: {@code raw <uri> <queue> <count>} or {@code lib <uri> <service> <count>}.
 */
final class MemoryProbe {

    private long peakHeapUsed;
    private long peakHeapAfterGc;
    private long peakRss;
    private int collections;

    public static void main(String[] args) throws Exception {
        String side = args[0];
        String uri = args[1];
        String target = args[2];
        int count = Integer.parseInt(args[3]);
        MemoryProbe probe = new MemoryProbe();
        probe.listenToCollections();
        Recorder recorder = new Recorder(count);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(probe::sample, 0, 20, TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        if (side.equals("raw")) {
            Broker broker = new Broker(RabbitMqConnectionSettings.fromUri(uri));
            RawCodec codec = new RawCodec(MessageValidator.NONE);
            try (Connection connection = broker.connect("bench-memory-raw")) {
                Channel channel = connection.createChannel();
                channel.basicQos(EndToEnd.PREFETCH);
                channel.basicConsume(target, false, new DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                            throws IOException {
                        recorder.record(codec.decode(body).sequence() * 0);
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    }
                });
                recorder.await(EndToEnd.timeoutMillis(count), "raw memory consumer");
            }
        } else {
            Broker broker = new Broker(RabbitMqConnectionSettings.fromUri(uri));
            MessageHandler<OrderPlaced> handler = message -> recorder.record(message.payload().sequence() * 0);
            RabbitMqEventBus bus = broker.bus(target).prefetch(EndToEnd.PREFETCH).consumerThreads(1)
                    .subscribe(Subscription.of(OrderPlaced.class, Memory.HANDLER, handler)).build();
            try {
                bus.start();
                recorder.await(EndToEnd.timeoutMillis(count), "library memory consumer");
            } finally {
                bus.stop();
            }
        }
        double seconds = EndToEnd.seconds(start, recorder.lastNanos());
        sampler.shutdown();
        sampler.awaitTermination(1, TimeUnit.SECONDS);
        probe.sample();
        synchronized (probe) {
            System.out.printf(Locale.ROOT, "RESULT rate=%.0f peakHeapUsed=%d peakHeapAfterGc=%d peakRss=%d collections=%d%n",
                    count / seconds, probe.peakHeapUsed, probe.peakHeapAfterGc, Math.max(probe.peakRss, status("VmHWM")),
                    probe.collections);
        }
        System.exit(0);
    }

    private synchronized void sample() {
        peakHeapUsed = Math.max(peakHeapUsed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        peakRss = Math.max(peakRss, status("VmRSS"));
    }

    /** After every collection: the heap still in use (all heap pools), i.e. what the consumer really holds. */
    private void listenToCollections() {
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) collector).addNotificationListener((notification, handback) -> {
                if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                }
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                long afterGc = 0;
                for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(pool.getKey())) {
                        afterGc += pool.getValue().getUsed();
                    }
                }
                synchronized (this) {
                    peakHeapAfterGc = Math.max(peakHeapAfterGc, afterGc);
                    collections++;
                }
            }, null, null);
        }
    }

    /** A {@code kB} field of /proc/self/status in bytes, or 0 where there is no /proc. */
    static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
