package dev.eventbus.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import dev.eventbus.rabbitmq.Topology;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cost as the work grows: a service with {@code n} subscriptions. Its topology ({@code bus.admin().topology()}: a handler,
 * retry and dead-letter queue per subscription, their bindings, the exchanges) is declared three ways on an empty broker:
 * by {@code configure()}, by the raw client pipelining the same declarations ({@code nowait}, one round trip at the end)
 * and by the raw client waiting for each reply. Then each side consumes every handler queue and is measured at rest
 * (threads, channels, heap after a full GC, each against the JVM before it started) and publishing with 1 and 16
 * threads on one bus (raw: one connection, a confirm channel per thread), 100 confirms in flight.
 *
 * <p>Both sides decode each delivery into {@code OrderPlaced} (the raw side with {@link RawCodec}). The service's
 * subscriptions: one to its own {@code OrderPlaced} (what is published), the others to
 * {@code OrderPlaced} of ten other services, as a service listening to its neighbours: a queue per handler, bound to
 * the neighbour's exchange.
 */
final class Scale {

    /** The figures of one side with {@code n} subscriptions. */
    record Figures(double startMillis, int threads, int channels, double heapMb, double publishOne, double publishSixteen) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "start %.0f ms; at rest +%d threads, %d channels, +%.1f MB heap; publish "
                    + "1 thread %.0f msg/s, 16 threads %.0f msg/s", startMillis, threads, channels, heapMb, publishOne, publishSixteen);
        }
    }

    /** How a side declares the topology. */
    enum Declaring { LIBRARY, RAW_PIPELINED, RAW_BLOCKING }

    private static final int SOURCES = 10;

    private final Broker broker;
    private final int publishCount;

    Scale(Broker broker, int publishCount) {
        this.broker = broker;
        this.publishCount = publishCount;
    }

    /** A service of {@code n} subscriptions, with names of its own: build it, read its topology, run the sides. */
    final class Service implements AutoCloseable {
        final String name = Broker.unique("scale");
        final List<Subscription> subscriptions = new ArrayList<>();
        final Topology topology;
        final AtomicLong handled = new AtomicLong();

        Service(int n) {
            MessageHandler<OrderPlaced> handler = message -> handled.incrementAndGet();
            subscriptions.add(Subscription.of(OrderPlaced.class, "own_handler", handler));
            for (int i = 1; i < n; i++) {
                subscriptions.add(Subscription.of(OrderPlaced.class, "handler_" + i, handler).from(name + "-src-" + i % SOURCES));
            }
            RabbitMqEventBus planner = builder().build();
            try {
                topology = planner.admin().topology();
            } finally {
                planner.stop();
            }
        }

        RabbitMqEventBusBuilder builder() {
            RabbitMqEventBusBuilder builder = broker.bus(name).prefetch(EndToEnd.PREFETCH).maxInFlight(EndToEnd.IN_FLIGHT);
            subscriptions.forEach(builder::subscribe);
            return builder;
        }

        String ownQueue() {
            return topology.queues().get(0).name();
        }

        /** Declares the topology, the way given; returns the milliseconds it took. */
        double declare(Declaring how) throws Exception {
            long start = System.nanoTime();
            switch (how) {
                case LIBRARY -> {
                    RabbitMqEventBus bus = builder().build();
                    try {
                        start = System.nanoTime(); // building the bus opens no connection; configure() opens the publisher's
                        bus.admin().configure();
                    } finally {
                        bus.stop();
                    }
                }
                case RAW_PIPELINED, RAW_BLOCKING -> {
                    try (Connection connection = broker.connect(name + ".declare")) {
                        start = System.nanoTime(); // the library's configure() also includes opening its connection
                        Channel channel = connection.createChannel();
                        declareRaw(channel, how == Declaring.RAW_PIPELINED);
                        channel.close();
                    }
                }
                default -> throw new IllegalStateException(how.toString());
            }
            return (System.nanoTime() - start) / 1e6;
        }

        private void declareRaw(Channel channel, boolean pipelined) throws IOException {
            for (Topology.Exchange exchange : topology.exchanges()) {
                BuiltinExchangeType type = Topology.HEADERS.equals(exchange.type()) ? BuiltinExchangeType.HEADERS : BuiltinExchangeType.TOPIC;
                if (pipelined) {
                    channel.exchangeDeclareNoWait(exchange.name(), type, true, false, false, null);
                } else {
                    channel.exchangeDeclare(exchange.name(), type, true);
                }
            }
            for (Topology.Queue queue : topology.queues()) {
                if (pipelined) {
                    channel.queueDeclareNoWait(queue.name(), true, false, false, queue.arguments());
                } else {
                    channel.queueDeclare(queue.name(), true, false, false, queue.arguments());
                }
            }
            for (Topology.Binding binding : topology.bindings()) {
                var arguments = binding.arguments().isEmpty() ? null : binding.arguments();
                if (pipelined) {
                    channel.queueBindNoWait(binding.queue(), binding.exchange(), binding.routingKey(), arguments);
                } else {
                    channel.queueBind(binding.queue(), binding.exchange(), binding.routingKey(), arguments);
                }
            }
            if (pipelined) {
                channel.exchangeDeclarePassive(topology.exchanges().get(0).name()); // the one round trip: all before it done
            }
        }

        /** Deletes every queue and exchange of the topology (the neighbours' exchanges too: their names are this run's). */
        void delete() throws Exception {
            try (Connection connection = broker.connect(name + ".delete")) {
                Channel channel = connection.createChannel();
                for (Topology.Queue queue : topology.queues()) {
                    channel.queueDeleteNoWait(queue.name(), false, false);
                }
                for (Topology.Exchange exchange : topology.exchanges()) {
                    channel.exchangeDeleteNoWait(exchange.name(), false);
                }
                channel.basicQos(0); // one round trip: every deletion before it is done
                channel.close();
            }
        }

        /**
         * The library consuming every handler queue (the bus's defaults but prefetch and confirms in flight): its start,
         * at rest, then publishing. The topology must be declared.
         */
        Figures library() throws Exception {
            handled.set(0);
            Baseline baseline = new Baseline();
            RabbitMqEventBus bus = builder().build();
            try {
                long start = System.nanoTime();
                bus.start();
                double startMillis = (System.nanoTime() - start) / 1e6;
                bus.publish(dev.eventbus.core.Message.of(OrderPlaced.next(0))); // the publisher connection, as in use
                awaitHandled(1);
                Baseline.Delta rest = baseline.atRest("bench." + name);
                double one = publishLibrary(bus, 1);
                double sixteen = publishLibrary(bus, 16);
                return new Figures(startMillis, rest.threads(), rest.channels(), rest.heapMb(), one, sixteen);
            } finally {
                bus.stop();
            }
        }

        private double publishLibrary(RabbitMqEventBus bus, int threads) throws Exception {
            long start = System.nanoTime();
            long confirmedAt = EndToEnd.publishWithLibrary(bus, threads, publishCount);
            return publishCount / EndToEnd.seconds(start, confirmedAt);
        }

        /** The raw client doing the same: a consumer connection with a channel per handler queue, a publisher connection. */
        Figures raw() throws Exception {
            handled.set(0);
            Baseline baseline = new Baseline();
            String connections = name + ".raw";
            RawCodec codec = new RawCodec(dev.eventbus.core.MessageValidator.NONE);
            try (Connection publisher = broker.connect(connections + ".publisher")) {
                long start = System.nanoTime(); // as the library's start(): the consumer connection and its consumers
                try (Connection consumers = broker.connect(connections + ".consumer")) {
                    for (Topology.Queue queue : topology.queues()) {
                        if (!queue.name().startsWith("retry.") && !queue.name().startsWith("dead_letter.") && !queue.name().startsWith("delay.")) {
                            Channel channel = consumers.createChannel();
                            channel.basicQos(EndToEnd.PREFETCH);
                            channel.basicConsume(queue.name(), false, new DefaultConsumer(channel) {
                                @Override
                                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                                        throws IOException {
                                    if (body.length > 2) {
                                        codec.decode(body); // as the library's handler gets its payload decoded
                                    }
                                    handled.incrementAndGet();
                                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                                }
                            });
                        }
                    }
                    double startMillis = (System.nanoTime() - start) / 1e6;
                    try (Channel channel = publisher.createChannel()) {
                        channel.basicPublish(topology.exchanges().get(0).name(), routingKey(), true, Broker.properties("warm", name),
                                new byte[] {'{', '}'});
                    }
                    awaitHandled(1);
                    Baseline.Delta rest = baseline.atRest(connections);
                    double one = publishRaw(publisher, 1);
                    double sixteen = publishRaw(publisher, 16);
                    return new Figures(startMillis, rest.threads(), rest.channels(), rest.heapMb(), one, sixteen);
                }
            }
        }

        private double publishRaw(Connection publisher, int threads) throws Exception {
            RawCodec codec = new RawCodec(dev.eventbus.core.MessageValidator.NONE);
            String exchange = topology.exchanges().get(0).name();
            String routingKey = routingKey();
            long start = System.nanoTime();
            long confirmedAt = EndToEnd.RawPublisher.publish(publisher, threads, publishCount, EndToEnd.IN_FLIGHT,
                    (channel, sequence) -> {
                        RawCodec.Envelope envelope = RawCodec.envelope(OrderPlaced.next(sequence));
                        channel.basicPublish(exchange, routingKey, true, Broker.properties(envelope.data().id(), name),
                                codec.encode(envelope));
                    });
            return publishCount / EndToEnd.seconds(start, confirmedAt);
        }

        /** The key the library publishes {@code OrderPlaced} with: the binding of the service's own handler queue. */
        private String routingKey() {
            String own = ownQueue();
            return topology.bindings().stream().filter(b -> b.queue().equals(own) && b.exchange().equals(topology.exchanges().get(0).name()))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no binding of " + own)).routingKey();
        }

        private void awaitHandled(long atLeast) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (handled.get() < atLeast) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the first message was not handled within 30 s");
                }
                Thread.sleep(10);
            }
        }

        @Override
        public void close() throws Exception {
            delete();
        }
    }

    /** The JVM's threads and heap before a side starts, to measure what the side adds. */
    private static final class Baseline {

        record Delta(int threads, int channels, double heapMb) {
        }

        private final int threads;
        private final long heap;

        Baseline() {
            heap = heapAfterGc();
            threads = ManagementFactory.getThreadMXBean().getThreadCount();
        }

        /** Waits for the side to come to rest (2 s), then measures it; channels are those of connections named so. */
        Delta atRest(String connectionPrefix) throws Exception {
            Thread.sleep(2000); // at rest: no work in flight, idle pools settled
            int addedThreads = ManagementFactory.getThreadMXBean().getThreadCount() - threads;
            double addedHeap = (heapAfterGc() - heap) / 1048576.0;
            return new Delta(addedThreads, channels(connectionPrefix), addedHeap);
        }

        private static long heapAfterGc() {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        /**
         * The channels the broker counts on connections whose name starts with the prefix ({@code rabbitmqctl}, so a broker
         * on this host); -1 where rabbitmqctl is not available.
         */
        private static int channels(String prefix) {
            try {
                // 3.10's list_connections has no user_provided_name: the name is in the client properties
                Process process = new ProcessBuilder("rabbitmqctl", "list_connections", "-s", "--formatter", "json",
                        "client_properties", "channels").redirectError(ProcessBuilder.Redirect.DISCARD).start();
                byte[] output = process.getInputStream().readAllBytes();
                if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    return -1;
                }
                int total = 0;
                for (JsonNode connection : new ObjectMapper().readTree(output)) {
                    for (JsonNode property : connection.path("client_properties")) {
                        if (property.path(0).asText().equals("connection_name") && property.path(2).asText().startsWith(prefix)) {
                            total += connection.path("channels").asInt();
                        }
                    }
                }
                return total;
            } catch (IOException | RuntimeException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    /** What the topology of a service holds, for the tables. */
    static String describe(Topology topology) {
        return String.format(Locale.ROOT, "%d / %d / %d", topology.exchanges().size(), topology.queues().size(),
                topology.bindings().size());
    }
}
