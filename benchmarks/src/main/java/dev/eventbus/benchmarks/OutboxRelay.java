package dev.eventbus.benchmarks;

import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.Subscription;
import dev.eventbus.outbox.Outbox;
import dev.eventbus.outbox.RelayObserver;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * The transactional outbox on PostgreSQL beside direct confirmed publishing, on the same bus shape as the end-to-end
 * benchmark (persistent ~500-byte events, {@value EndToEnd#IN_FLIGHT} confirms in flight, prefetch
 * {@value EndToEnd#PREFETCH}, one consumer acking each). Each run has two phases:
 * <ol>
 *   <li>throughput: <i>direct</i> is {@code publishAsync} flat out from one thread, until the last confirm; <i>outbox</i>
 *       is a relay (default settings but the batch size, {@code --batch}, default 100) draining a table pre-filled with the same number of rows
 *       (written first, unmeasured), until the last batch committed;</li>
 *   <li>latency at a fixed rate: <i>direct</i> publishes at the rate; <i>outbox</i> writes each event in a transaction of
 *       its own at the rate (from two threads) and the relay, woken by {@code NOTIFY}, sends it. Latency is from the
 *       event's creation (before the transaction) to its handler.</li>
 * </ol>
 * PostgreSQL is {@code EVENTBUS_BENCH_POSTGRES_URL}, else {@value #LOCAL}; each run uses a schema of its own, dropped
 * after.
 */
final class OutboxRelay {

    static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final Broker broker;
    private final String url;
    private final int batchSize;

    OutboxRelay(Broker broker, int batchSize) {
        this.broker = broker;
        this.batchSize = batchSize;
        String configured = System.getenv("EVENTBUS_BENCH_POSTGRES_URL");
        this.url = configured == null || configured.isBlank() ? LOCAL : configured;
    }

    String url() {
        return url;
    }

    /** One run of one side: {@code count} messages flat out, then {@code paced} at {@code perSecond}. */
    Run run(boolean outbox, int count, int paced, int perSecond) throws Exception {
        String service = Broker.unique(outbox ? "outbox" : "direct");
        AtomicReference<Recorder> recorder = new AtomicReference<>(new Recorder(count));
        MessageHandler<OrderPlaced> handler = message -> recorder.get().record(System.nanoTime() - message.payload().sentAtNanos());
        Subscription subscription = Subscription.of(OrderPlaced.class, "bench_handler", handler);
        Consumer<RabbitMqEventBusBuilder> shape = builder -> builder
                .prefetch(EndToEnd.PREFETCH).consumerThreads(1).maxInFlight(EndToEnd.IN_FLIGHT);
        RabbitMqEventBusBuilder builder = broker.bus(service).subscribe(subscription);
        shape.accept(builder);
        RabbitMqEventBus bus = builder.build();
        String schema = "bench_outbox_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
        JdbcConnectionPool pool = pool();
        try {
            bus.admin().configure();
            bus.start();
            execute(pool, "CREATE SCHEMA " + schema);
            return outbox ? viaOutbox(bus, pool, schema + ".outbox", batchSize, recorder, count, paced, perSecond)
                    : direct(bus, recorder, count, paced, perSecond);
        } finally {
            bus.stop();
            broker.clear(service, shape, List.of(subscription));
            execute(pool, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            pool.dispose();
        }
    }

    private static Run direct(RabbitMqEventBus bus, AtomicReference<Recorder> recorder, int count, int paced, int perSecond)
            throws Exception {
        long cpu = Run.processCpuNanos();
        long start = System.nanoTime();
        long confirmedAt = EndToEnd.publishWithLibrary(bus, 1, count);
        double cpuPerMessage = Run.cpuPerMessage(cpu, count);
        double rate = count / EndToEnd.seconds(start, confirmedAt);
        recorder.get().await(EndToEnd.timeoutMillis(count), "direct throughput");

        Recorder latencies = new Recorder(paced);
        recorder.set(latencies);
        EndToEnd.publishWithLibrary(bus, 1, paced, 1_000_000_000L / perSecond);
        latencies.await(EndToEnd.timeoutMillis(paced), "direct at " + perSecond + "/s");
        return new Run(rate, rate, latencies.percentileMillis(50), latencies.percentileMillis(95),
                latencies.percentileMillis(99), cpuPerMessage);
    }

    private static Run viaOutbox(RabbitMqEventBus bus, JdbcConnectionPool pool, String table, int batchSize,
                                 AtomicReference<Recorder> recorder,
                                 int count, int paced, int perSecond) throws Exception {
        AtomicInteger sent = new AtomicInteger();
        AtomicLong drainedAt = new AtomicLong();
        CountDownLatch drained = new CountDownLatch(1);
        int[] target = {count};
        Outbox outbox = Outbox.builder(pool, bus).table(table).batchSize(batchSize).observer(new RelayObserver() {
            @Override
            public void committed(int rows, int failed) {
                if (sent.addAndGet(rows) >= target[0] && drained.getCount() > 0) {
                    drainedAt.set(System.nanoTime());
                    drained.countDown();
                }
            }
        }).build();
        outbox.createTable();
        for (int i = 0; i < count; i += 500) {
            int first = i;
            outbox.inTransaction(connection -> {
                List<OrderPlaced> events = new ArrayList<>(500);
                for (int n = first; n < Math.min(count, first + 500); n++) {
                    events.add(OrderPlaced.next(n));
                }
                outbox.publish(connection, events);
            });
        }
        try {
            long cpu = Run.processCpuNanos();
            long start = System.nanoTime();
            outbox.start();
            if (!drained.await(EndToEnd.timeoutMillis(count), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("outbox relay: " + sent.get() + " of " + count + " sent in time");
            }
            double cpuPerMessage = Run.cpuPerMessage(cpu, count);
            double rate = count / EndToEnd.seconds(start, drainedAt.get());
            recorder.get().await(EndToEnd.timeoutMillis(count), "outbox throughput");

            Recorder latencies = new Recorder(paced);
            recorder.set(latencies);
            writePaced(outbox, paced, 1_000_000_000L / perSecond);
            latencies.await(EndToEnd.timeoutMillis(paced), "outbox at " + perSecond + "/s");
            return new Run(rate, rate, latencies.percentileMillis(50), latencies.percentileMillis(95),
                    latencies.percentileMillis(99), cpuPerMessage);
        } finally {
            outbox.stop();
        }
    }

    /** One transaction per event, event {@code i} not before {@code i * intervalNanos}, from two threads. */
    private static void writePaced(Outbox outbox, int count, long intervalNanos) throws Exception {
        long origin = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            writers.add(new Thread(() -> {
                try {
                    for (int sequence = next.getAndIncrement(); sequence < count; sequence = next.getAndIncrement()) {
                        EndToEnd.pace(origin, sequence, intervalNanos);
                        OrderPlaced event = OrderPlaced.next(sequence);
                        outbox.inTransaction(connection -> outbox.publish(connection, event));
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            }, "bench-outbox-writer-" + t));
        }
        writers.forEach(Thread::start);
        for (Thread writer : writers) {
            writer.join();
        }
        if (error.get() != null) {
            throw new IllegalStateException("outbox writing failed", error.get());
        }
    }

    private JdbcConnectionPool pool() {
        PGConnectionPoolDataSource connections = new PGConnectionPoolDataSource();
        connections.setURL(url);
        JdbcConnectionPool pool = JdbcConnectionPool.create(connections);
        pool.setMaxConnections(8);
        return pool;
    }

    private static void execute(JdbcConnectionPool pool, String sql) throws Exception {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
