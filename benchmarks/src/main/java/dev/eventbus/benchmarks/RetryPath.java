package dev.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A handler that fails once per message, retried through a TTL queue: the library's retry route against the same
 * route built by hand with the raw client (retry exchange, retry queue with {@code x-message-ttl} dead-lettering back
 * to the main exchange, the failed copy republished with a counter header and confirmed before the original is acked).
 * Two phases per side: flat out (throughput of handled messages, each handled twice) and paced well below capacity
 * (the retry delay observed by the handler, from its failure to the copy's arrival, against the TTL).
 */
final class RetryPath {

    /**
     * One side's figures.
     *
     * @param rate      messages handled successfully per second, flat out (each one failed once first)
     * @param loadedP50 median retry delay while flat out (includes waiting behind the backlog), ms
     * @param p50       median retry delay, paced, ms
     * @param p95       95th percentile, paced, ms
     * @param p99       99th percentile, paced, ms
     */
    record Figures(double rate, double loadedP50, double p50, double p95, double p99) {
    }

    /** Fails the first delivery of each sequence number and records the delay to the second. Single consumer thread. */
    static final class FailOnce {
        private final boolean[] failed;
        private final long[] failedAt;
        final Recorder recorder;

        FailOnce(int count) {
            this.failed = new boolean[count];
            this.failedAt = new long[count];
            this.recorder = new Recorder(count);
        }

        /** True if the delivery succeeds; false for the first delivery of the sequence (the caller fails it). */
        boolean handle(long sequence) {
            int index = (int) sequence;
            long now = System.nanoTime();
            if (!failed[index]) {
                failed[index] = true;
                failedAt[index] = now;
                return false;
            }
            recorder.record(now - failedAt[index]);
            return true;
        }
    }

    private final Broker broker;
    private final Duration ttl;
    private final boolean delayQueues;

    /** The fixed retry queue route (petisco's), TTL {@code ttl}. */
    RetryPath(Broker broker, Duration ttl) {
        this(broker, ttl, false);
    }

    /**
     * @param delayQueues whether both sides use a ladder's route (a headers exchange routing by a delay header to a delay
     *                    queue that dead-letters with the copy's own key) instead of the fixed retry queue
     */
    RetryPath(Broker broker, Duration ttl, boolean delayQueues) {
        this.broker = broker;
        this.ttl = ttl;
        this.delayQueues = delayQueues;
    }

    Figures raw(int count, int paced, int pacedPerSecond) throws Exception {
        String scope = Broker.unique("raw-retry");
        String exchange = scope;
        String retryExchange = (delayQueues ? "delay." : "retry.") + scope;
        String queue = scope + ".queue";
        String retryQueue = delayQueues ? retryExchange + "." + ttl.toMillis() : "retry." + queue;
        String routingKey = "bench." + scope + ".1.event.order.placed";
        String retryKey = "retry." + queue;
        RawCodec codec = new RawCodec(MessageValidator.NONE);
        AtomicReference<FailOnce> phase = new AtomicReference<>();
        try (Connection publisherConnection = broker.connect(scope + ".publisher");
             Connection consumerConnection = broker.connect(scope + ".consumer")) {
            try (Channel admin = publisherConnection.createChannel()) {
                admin.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
                admin.exchangeDeclare(retryExchange, delayQueues ? BuiltinExchangeType.HEADERS : BuiltinExchangeType.TOPIC, true);
                admin.queueDeclare(queue, true, false, false, null);
                admin.queueBind(queue, exchange, routingKey);
                admin.queueBind(queue, exchange, retryKey);
                if (delayQueues) {
                    // no x-dead-letter-routing-key: the copy returns with its own key, retry.<queue>
                    admin.queueDeclare(retryQueue, true, false, false, Map.of("x-message-ttl", (int) ttl.toMillis(),
                            "x-dead-letter-exchange", exchange));
                    admin.queueBind(retryQueue, retryExchange, "", Map.of("x-match", "all", "delay", String.valueOf(ttl.toMillis())));
                } else {
                    admin.queueDeclare(retryQueue, true, false, false, Map.of("x-message-ttl", (int) ttl.toMillis(),
                            "x-dead-letter-exchange", exchange, "x-dead-letter-routing-key", retryKey));
                    admin.queueBind(retryQueue, retryExchange, retryKey);
                }
            }
            Channel retryChannel = publisherConnection.createChannel();
            retryChannel.confirmSelect();
            Channel consumer = consumerConnection.createChannel();
            consumer.basicQos(EndToEnd.PREFETCH);
            consumer.basicConsume(queue, false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    OrderPlaced event = codec.decode(body);
                    if (!phase.get().handle(event.sequence())) {
                        Map<String, Object> headers = new HashMap<>(properties.getHeaders() == null ? Map.of() : properties.getHeaders());
                        headers.put("retry-count", 1);
                        if (delayQueues) {
                            headers.put("delay", String.valueOf(ttl.toMillis()));
                        }
                        headers.putIfAbsent("original-routing-key", envelope.getRoutingKey());
                        retryChannel.basicPublish(retryExchange, retryKey, true,
                                properties.builder().headers(headers).deliveryMode(2).build(), body);
                        try {
                            retryChannel.waitForConfirmsOrDie(30_000);
                        } catch (Exception e) {
                            getChannel().basicReject(envelope.getDeliveryTag(), false);
                            return;
                        }
                    }
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            FailOnce loaded = new FailOnce(count);
            phase.set(loaded);
            long start = System.nanoTime();
            rawPublish(publisherConnection, exchange, routingKey, scope, codec, count, 0);
            loaded.recorder.await(EndToEnd.timeoutMillis(count) * 4, "raw retry");
            double rate = count / EndToEnd.seconds(start, loaded.recorder.lastNanos());
            FailOnce pacedPhase = new FailOnce(paced);
            phase.set(pacedPhase);
            rawPublish(publisherConnection, exchange, routingKey, scope, codec, paced, 1_000_000_000L / pacedPerSecond);
            pacedPhase.recorder.await(EndToEnd.timeoutMillis(paced), "raw retry, paced");
            return figures(rate, loaded, pacedPhase);
        } finally {
            broker.delete(List.of(queue, retryQueue), List.of(exchange, retryExchange));
        }
    }

    private static void rawPublish(Connection connection, String exchange, String routingKey, String appId, RawCodec codec,
                                   int count, long intervalNanos) throws Exception {
        long origin = System.nanoTime();
        EndToEnd.RawPublisher.publish(connection, 1, count, EndToEnd.IN_FLIGHT, (channel, sequence) -> {
            EndToEnd.pace(origin, sequence, intervalNanos);
            RawCodec.Envelope envelope = RawCodec.envelope(OrderPlaced.next(sequence));
            channel.basicPublish(exchange, routingKey, true, Broker.properties(envelope.data().id(), appId), codec.encode(envelope));
        });
    }

    Figures library(int count, int paced, int pacedPerSecond) throws Exception {
        String service = Broker.unique("lib-retry");
        AtomicReference<FailOnce> phase = new AtomicReference<>();
        MessageHandler<OrderPlaced> handler = message -> {
            if (!phase.get().handle(message.payload().sequence())) {
                throw new IllegalStateException("planned failure: the benchmark handler fails each message once");
            }
        };
        Subscription subscription = Subscription.of(OrderPlaced.class, "bench_retry_handler", handler);
        Consumer<RabbitMqEventBusBuilder> shape = builder -> builder.prefetch(EndToEnd.PREFETCH).consumerThreads(1)
                .maxInFlight(EndToEnd.IN_FLIGHT).retryPolicy(delayQueues ? RetryPolicy.ladder(3, ttl) : RetryPolicy.of(3, ttl));
        RabbitMqEventBusBuilder builder = broker.bus(service).subscribe(subscription);
        shape.accept(builder);
        RabbitMqEventBus bus = builder.build();
        try {
            bus.admin().configure();
            bus.start();
            FailOnce loaded = new FailOnce(count);
            phase.set(loaded);
            long start = System.nanoTime();
            EndToEnd.publishWithLibrary(bus, 1, count);
            loaded.recorder.await(EndToEnd.timeoutMillis(count) * 4, "library retry");
            double rate = count / EndToEnd.seconds(start, loaded.recorder.lastNanos());
            FailOnce pacedPhase = new FailOnce(paced);
            phase.set(pacedPhase);
            EndToEnd.publishWithLibrary(bus, 1, paced, 1_000_000_000L / pacedPerSecond);
            pacedPhase.recorder.await(EndToEnd.timeoutMillis(paced), "library retry, paced");
            return figures(rate, loaded, pacedPhase);
        } finally {
            bus.stop();
            broker.clear(service, shape, List.of(subscription));
        }
    }

    /**
     * The library's delay accuracy on a ladder: {@code count} messages paced at {@code perSecond}, each failing once and
     * retried through the delay queue of {@code ttl}; the recorder holds each message's delay from failure to retry.
     */
    Recorder delayAccuracy(int count, int perSecond) throws Exception {
        String service = Broker.unique("lib-delay");
        AtomicReference<FailOnce> phase = new AtomicReference<>(new FailOnce(count));
        MessageHandler<OrderPlaced> handler = message -> {
            if (!phase.get().handle(message.payload().sequence())) {
                throw new IllegalStateException("planned failure: the benchmark handler fails each message once");
            }
        };
        Subscription subscription = Subscription.of(OrderPlaced.class, "bench_delay_handler", handler);
        Consumer<RabbitMqEventBusBuilder> shape = builder -> builder.prefetch(EndToEnd.PREFETCH).consumerThreads(1)
                .maxInFlight(EndToEnd.IN_FLIGHT).retryPolicy(RetryPolicy.ladder(1, ttl));
        RabbitMqEventBusBuilder builder = broker.bus(service).subscribe(subscription);
        shape.accept(builder);
        RabbitMqEventBus bus = builder.build();
        try {
            bus.admin().configure();
            bus.start();
            EndToEnd.publishWithLibrary(bus, 1, count, 1_000_000_000L / perSecond);
            phase.get().recorder.await(EndToEnd.timeoutMillis(count) + ttl.toMillis() * 2, "library delay " + ttl.toMillis() + " ms");
            return phase.get().recorder;
        } finally {
            bus.stop();
            broker.clear(service, shape, List.of(subscription));
        }
    }

    private static Figures figures(double rate, FailOnce loaded, FailOnce paced) {
        return new Figures(rate, loaded.recorder.percentileMillis(50), paced.recorder.percentileMillis(50),
                paced.recorder.percentileMillis(95), paced.recorder.percentileMillis(99));
    }
}
