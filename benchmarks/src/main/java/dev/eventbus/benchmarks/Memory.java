package dev.eventbus.benchmarks;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Consumer memory against backlog size: fills a queue with a backlog (raw publisher, not measured), then consumes
 * it in a fresh JVM ({@link MemoryProbe}) that samples heap and RSS while consuming. The same for the raw client
 * and the library, for two backlog sizes ten times apart: bounded memory means the figures do not grow with it.
 */
final class Memory {

    static final String HANDLER = "bench_memory_handler";
    /** Smaller than a 1M-message backlog's bodies (~500 MB): a consumer that buffered the backlog would fail. */
    static final String CHILD_HEAP = "-Xmx256m";

    /**
     * One consumer JVM's figures.
     *
     * @param rate            messages consumed per second
     * @param peakHeapUsed    highest heap in use seen (garbage included), bytes
     * @param peakHeapAfterGc highest heap still in use after a collection (the live set), bytes
     * @param peakRss         the process's peak resident set (VmHWM), bytes
     * @param collections     garbage collections during the run
     */
    record Figures(double rate, long peakHeapUsed, long peakHeapAfterGc, long peakRss, int collections) {
    }

    private final Broker broker;

    Memory(Broker broker) {
        this.broker = broker;
    }

    Figures raw(int backlog) throws Exception {
        String scope = Broker.unique("raw-mem");
        String queue = scope + ".queue";
        String routingKey = "bench." + scope + ".1.event.order.placed";
        try {
            try (Connection connection = broker.connect(scope + ".fill"); Channel admin = connection.createChannel()) {
                admin.exchangeDeclare(scope, BuiltinExchangeType.TOPIC, true);
                admin.queueDeclare(queue, true, false, false, null);
                admin.queueBind(queue, scope, routingKey);
                fill(connection, scope, routingKey, backlog);
            }
            return child("raw", queue, backlog);
        } finally {
            broker.delete(List.of(queue), List.of(scope));
        }
    }

    Figures library(int backlog) throws Exception {
        String service = Broker.unique("lib-mem");
        MessageHandler<OrderPlaced> unused = message -> { };
        Subscription subscription = Subscription.of(OrderPlaced.class, HANDLER, unused);
        Consumer<RabbitMqEventBusBuilder> shape = builder -> builder.prefetch(EndToEnd.PREFETCH).consumerThreads(1);
        try {
            RabbitMqEventBusBuilder builder = broker.bus(service).subscribe(subscription);
            shape.accept(builder);
            RabbitMqEventBus bus = builder.build();
            String exchange = bus.convention().mainExchange();
            String routingKey = bus.convention().routingKey(MessageType.of(OrderPlaced.class));
            try {
                bus.admin().configure();
            } finally {
                bus.stop();
            }
            try (Connection connection = broker.connect(service + ".fill")) {
                fill(connection, exchange, routingKey, backlog);
            }
            return child("lib", service, backlog);
        } finally {
            broker.clear(service, shape, List.of(subscription));
        }
    }

    private static void fill(Connection connection, String exchange, String routingKey, int backlog) throws Exception {
        RawCodec codec = new RawCodec(MessageValidator.NONE);
        EndToEnd.RawPublisher.publish(connection, 2, backlog, 1000, (channel, sequence) -> {
            RawCodec.Envelope envelope = RawCodec.envelope(OrderPlaced.next(sequence));
            channel.basicPublish(exchange, routingKey, true, Broker.properties(envelope.data().id(), "bench-fill"),
                    codec.encode(envelope));
        });
    }

    private Figures child(String side, String target, int backlog) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, CHILD_HEAP, "-cp", System.getProperty("java.class.path"),
                MemoryProbe.class.getName(), side, broker.settings().toUri(), target, Integer.toString(backlog)));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String result = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("RESULT ")) {
                    result = line;
                }
            }
        }
        if (!process.waitFor(EndToEnd.timeoutMillis(backlog), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(side + " memory consumer did not finish " + backlog + " messages");
        }
        if (result == null || process.exitValue() != 0) {
            throw new IllegalStateException(side + " memory consumer failed (exit " + process.exitValue() + ")");
        }
        double rate = 0;
        long heap = 0;
        long afterGc = 0;
        long rss = 0;
        int collections = 0;
        for (String field : result.substring("RESULT ".length()).split(" ")) {
            String[] pair = field.split("=");
            switch (pair[0]) {
                case "rate" -> rate = Double.parseDouble(pair[1]);
                case "peakHeapUsed" -> heap = Long.parseLong(pair[1]);
                case "peakHeapAfterGc" -> afterGc = Long.parseLong(pair[1]);
                case "peakRss" -> rss = Long.parseLong(pair[1]);
                case "collections" -> collections = Integer.parseInt(pair[1]);
                default -> { }
            }
        }
        return new Figures(rate, heap, afterGc, rss, collections);
    }
}
