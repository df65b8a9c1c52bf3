package dev.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Publish with confirms, then consume with acks: both sides with persistent ~500-byte events on a durable topic
 * exchange and a durable classic queue, {@value #IN_FLIGHT} confirms in flight across all publishing threads,
 * prefetch {@value #PREFETCH}, one consumer acking each message, separate publisher and consumer connections.
 */
final class EndToEnd {

    static final int IN_FLIGHT = 100;
    static final int PREFETCH = 200;

    /**
     * What differs between the end-to-end benchmarks.
     *
     * @param label      the table's row label
     * @param publishers publishing threads (raw: a channel each; library: one bus)
     * @param validator  schema validation on both sides, or {@link MessageValidator#NONE}
     * @param observed   whether the library's bus has the Micrometer and OpenTelemetry observers on ({@link Observed})
     */
    record Scenario(String label, int publishers, MessageValidator validator, boolean observed) {
        Scenario(String label, int publishers, MessageValidator validator) {
            this(label, publishers, validator, false);
        }
    }

    private final Broker broker;

    EndToEnd(Broker broker) {
        this.broker = broker;
    }

    // ------------------------------------------------------------------------------------------------ raw client

    Run raw(Scenario scenario, int count) throws Exception {
        return raw(scenario, count, 0, new Recorder(count));
    }

    /** The raw side, message {@code i} published not before {@code i * intervalNanos} (0: flat out). */
    Run raw(Scenario scenario, int count, long intervalNanos, Recorder recorder) throws Exception {
        String scope = Broker.unique("raw");
        String exchange = scope;
        String queue = scope + ".queue";
        String routingKey = "bench." + scope + ".1.event.order.placed";
        RawCodec codec = new RawCodec(scenario.validator());
        try (Connection publisherConnection = broker.connect(scope + ".publisher");
             Connection consumerConnection = broker.connect(scope + ".consumer")) {
            try (Channel admin = publisherConnection.createChannel()) {
                admin.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
                admin.queueDeclare(queue, true, false, false, null);
                admin.queueBind(queue, exchange, routingKey);
            }
            Channel consumer = consumerConnection.createChannel();
            consumer.basicQos(PREFETCH);
            consumer.basicConsume(queue, false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    OrderPlaced event = codec.decode(body);
                    recorder.record(System.nanoTime() - event.sentAtNanos());
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            long cpu = Run.processCpuNanos();
            long start = System.nanoTime();
            long confirmedAt = RawPublisher.publish(publisherConnection, scenario.publishers(), count, IN_FLIGHT,
                    (channel, sequence) -> {
                        pace(start, sequence, intervalNanos);
                        RawCodec.Envelope envelope = RawCodec.envelope(OrderPlaced.next(sequence));
                        channel.basicPublish(exchange, routingKey, true,
                                Broker.properties(envelope.data().id(), scope), codec.encode(envelope));
                    });
            recorder.await(timeoutMillis(count), "raw " + scenario.label());
            return new Run(count / seconds(start, recorder.lastNanos()), count / seconds(start, confirmedAt),
                    recorder.percentileMillis(50), recorder.percentileMillis(95), recorder.percentileMillis(99),
                    Run.cpuPerMessage(cpu, count));
        } finally {
            broker.delete(List.of(queue), List.of(exchange));
        }
    }

    /** A raw publisher loop: threads with a confirm channel each, sharing one bound on unconfirmed messages. */
    static final class RawPublisher {

        /** Sends message {@code sequence} on {@code channel} (the caller holds an in-flight slot). */
        interface Send {
            void send(Channel channel, long sequence) throws IOException;
        }

        /** Publishes {@code count} messages from {@code threads} threads and returns the nanoTime of the last confirm. */
        static long publish(Connection connection, int threads, int count, int inFlight, Send send) throws Exception {
            Semaphore slots = new Semaphore(inFlight);
            CountDownLatch confirmed = new CountDownLatch(count);
            AtomicLong lastConfirm = new AtomicLong();
            AtomicInteger failures = new AtomicInteger();
            AtomicReference<Throwable> error = new AtomicReference<>();
            AtomicInteger next = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            List<Channel> channels = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Channel channel = connection.createChannel();
                channels.add(channel);
                channel.confirmSelect();
                ConcurrentNavigableMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
                channel.addConfirmListener(new ConfirmListener() {
                    @Override
                    public void handleAck(long tag, boolean multiple) {
                        settle(tag, multiple, false);
                    }

                    @Override
                    public void handleNack(long tag, boolean multiple) {
                        settle(tag, multiple, true);
                    }

                    private void settle(long tag, boolean multiple, boolean nack) {
                        var settled = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
                        int n = 0;
                        for (var iterator = settled.keySet().iterator(); iterator.hasNext(); ) {
                            iterator.next();
                            iterator.remove();
                            n++;
                        }
                        if (nack) {
                            failures.addAndGet(n);
                        }
                        lastConfirm.set(System.nanoTime());
                        slots.release(n);
                        for (int i = 0; i < n; i++) {
                            confirmed.countDown();
                        }
                    }
                });
                channel.addReturnListener(returned -> failures.incrementAndGet());
                // a lost connection (another user restarting the broker) never confirms what was in flight: fail the run
                channel.addShutdownListener(cause -> {
                    if (!cause.isInitiatedByApplication()) {
                        error.compareAndSet(null, cause);
                    }
                });
                Thread worker = new Thread(() -> {
                    try {
                        for (int sequence = next.getAndIncrement(); sequence < count; sequence = next.getAndIncrement()) {
                            while (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
                                if (error.get() != null) {
                                    return;
                                }
                            }
                            outstanding.put(channel.getNextPublishSeqNo(), Boolean.TRUE);
                            send.send(channel, sequence);
                        }
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                }, "bench-raw-publisher-" + t);
                workers.add(worker);
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
            if (error.get() != null) {
                throw new IllegalStateException("raw publishing failed", error.get());
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis(count));
            while (!confirmed.await(1, TimeUnit.SECONDS)) {
                if (error.get() != null || System.nanoTime() > deadline) {
                    throw new IllegalStateException("raw publishing: " + confirmed.getCount() + " of " + count + " unconfirmed",
                            error.get());
                }
            }
            if (failures.get() > 0) {
                throw new IllegalStateException("raw publishing: " + failures.get() + " messages nacked or returned");
            }
            for (Channel channel : channels) {
                channel.close();
            }
            return lastConfirm.get();
        }
    }

    // ------------------------------------------------------------------------------------------------ library

    Run library(Scenario scenario, int count) throws Exception {
        return library(scenario, count, 0, new Recorder(count));
    }

    /** The library's side, message {@code i} published not before {@code i * intervalNanos} (0: flat out). */
    Run library(Scenario scenario, int count, long intervalNanos, Recorder recorder) throws Exception {
        String service = Broker.unique("lib");
        MessageHandler<OrderPlaced> handler = message -> recorder.record(System.nanoTime() - message.payload().sentAtNanos());
        Subscription subscription = Subscription.of(OrderPlaced.class, "bench_handler", handler);
        Consumer<RabbitMqEventBusBuilder> shape = builder -> builder
                .prefetch(PREFETCH).consumerThreads(1).maxInFlight(IN_FLIGHT).validator(scenario.validator());
        RabbitMqEventBusBuilder builder = broker.bus(service).subscribe(subscription);
        shape.accept(builder);
        Observed observed = scenario.observed() ? new Observed(builder, service) : null;
        RabbitMqEventBus bus = builder.build();
        try {
            bus.admin().configure();
            bus.start();
            long cpu = Run.processCpuNanos();
            long start = System.nanoTime();
            long confirmedAt = publishWithLibrary(bus, scenario.publishers(), count, intervalNanos);
            recorder.await(timeoutMillis(count), "library " + scenario.label());
            return new Run(count / seconds(start, recorder.lastNanos()), count / seconds(start, confirmedAt),
                    recorder.percentileMillis(50), recorder.percentileMillis(95), recorder.percentileMillis(99),
                    Run.cpuPerMessage(cpu, count));
        } finally {
            bus.stop();
            if (observed != null) {
                observed.close();
            }
            broker.clear(service, shape, List.of(subscription));
        }
    }

    /**
     * What a user does for throughput: {@code publishAsync} from each publishing thread; the bus holds a thread once
     * {@code maxInFlight} messages are unconfirmed. Returns the nanoTime of the last confirm.
     */
    static long publishWithLibrary(RabbitMqEventBus bus, int threads, int count) throws Exception {
        return publishWithLibrary(bus, threads, count, 0);
    }

    /** As {@link #publishWithLibrary(RabbitMqEventBus, int, int)}, message {@code i} not before {@code i * intervalNanos}. */
    static long publishWithLibrary(RabbitMqEventBus bus, int threads, int count, long intervalNanos) throws Exception {
        long origin = System.nanoTime();
        CountDownLatch confirmed = new CountDownLatch(count);
        AtomicLong lastConfirm = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Thread(() -> {
                try {
                    for (int sequence = next.getAndIncrement(); sequence < count; sequence = next.getAndIncrement()) {
                        pace(origin, sequence, intervalNanos);
                        bus.publishAsync(Message.of(OrderPlaced.next(sequence))).whenComplete((ok, failure) -> {
                            if (failure != null) {
                                error.compareAndSet(null, failure);
                            }
                            lastConfirm.set(System.nanoTime());
                            confirmed.countDown();
                        });
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            }, "bench-lib-publisher-" + t));
        }
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join();
        }
        if (!confirmed.await(timeoutMillis(count), TimeUnit.MILLISECONDS) && error.get() == null) {
            throw new IllegalStateException("library publishing: " + confirmed.getCount() + " of " + count + " unconfirmed");
        }
        if (error.get() != null) {
            throw new IllegalStateException("library publishing failed", error.get());
        }
        return lastConfirm.get();
    }

    /** Waits until {@code origin + sequence * intervalNanos} (no wait for an interval of 0). */
    static void pace(long origin, long sequence, long intervalNanos) {
        if (intervalNanos > 0) {
            long due = origin + sequence * intervalNanos;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    static long timeoutMillis(int count) {
        return 60_000 + count / 2L;
    }

    static double seconds(long fromNanos, long toNanos) {
        return Math.max(1, toNanos - fromNanos) / 1e9;
    }
}
