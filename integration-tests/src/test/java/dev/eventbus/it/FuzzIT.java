package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import dev.eventbus.core.Event;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.Headers;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqCtl;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Malformed messages, seeded and bounded, interleaved with valid events on one handler queue: every valid event is
 * handled exactly once, every malformed one is dead-lettered with a reason (or, where the codec accepts it, handled),
 * nothing is lost, the consumer never reconnects, and the heap stays bounded. Reproduce a run with
 * {@code -Deventbus.fuzz.seed=<seed>}; size it with {@code -Deventbus.fuzz.malformed=<count>} (default 5000).
 */
@RabbitMqTest
class FuzzIT {

    private static final long SEED = Long.getLong("eventbus.fuzz.seed", 20261201L);
    private static final int MALFORMED = Integer.getInteger("eventbus.fuzz.malformed", 5000);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** The fuzzed queue's event. */
    record Fuzzed(int seq, String note) implements Event {
    }

    private enum Verdict { HANDLED, DEAD_LETTERED }

    private final MessageCodec oracle = new MessageCodec(registry());
    private final Random random = new Random(SEED);
    private final Map<String, AtomicInteger> categories = new TreeMap<>();

    @Test
    void malformedMessagesNeverStopTheConsumerNorCostAValidEvent(TestBroker broker) throws Exception {
        Map<Integer, AtomicInteger> handled = new ConcurrentHashMap<>();
        RabbitMqEventBus bus = broker.bus(b -> b.retryPolicy(RetryPolicy.none())
                .handlerQueueTtl(null) // a backlog of thousands must not expire: this test is about decoding, not TTL
                .subscribe(Subscription.of(Fuzzed.class, "fuzzed", m ->
                        handled.computeIfAbsent(m.payload().seq(), seq -> new AtomicInteger()).incrementAndGet())));
        bus.admin().configure();
        bus.start();
        String queue = bus.convention().handlerQueue(MessageType.of(Fuzzed.class), "fuzzed");
        String routingKey = bus.convention().routingKey(MessageType.of(Fuzzed.class));
        String consumerPid = consumerPid(broker, bus);

        assertTrue(decodes(envelope(-1).getBytes(StandardCharsets.UTF_8)), "the fuzz's template envelope is valid");
        Set<Integer> valid = ConcurrentHashMap.newKeySet();
        int expectedDeadLetters = 0;
        int malformedHandled = 0;
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            int seq = 0;
            for (int i = 0; i < MALFORMED; i++) {
                Case fuzzed = malformed(seq++);
                channel.basicPublish(bus.convention().mainExchange(), routingKey, fuzzed.properties(), fuzzed.body());
                if (fuzzed.verdict() == Verdict.DEAD_LETTERED) {
                    expectedDeadLetters++;
                } else {
                    valid.add(fuzzed.seq());
                    malformedHandled++;
                }
                if (i % 4 == 3) {
                    int good = seq++;
                    valid.add(good);
                    channel.basicPublish(bus.convention().mainExchange(), routingKey, plain(),
                            oracle.encode(Message.of(new Fuzzed(good, "valid"))));
                }
                if (i % 500 == 499) {
                    channel.waitForConfirmsOrDie(30_000);
                }
            }
            channel.waitForConfirmsOrDie(30_000);
        }
        int deadLetters = expectedDeadLetters;
        Await.until(valid.size() + " valid events handled and " + deadLetters + " dead letters", TIMEOUT,
                () -> handled.size() >= valid.size() && bus.admin().deadLetters().count(queue) >= deadLetters,
                () -> handled.size() + " handled, " + bus.admin().deadLetters().count(queue) + " dead letters");
        Await.awaitQueueDrained(broker, queue, TIMEOUT);

        List<Integer> twice = handled.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey).toList();
        assertTrue(twice.isEmpty(), () -> "handled more than once: " + twice);
        assertEquals(valid, handled.keySet(), "exactly the valid events were handled");
        long withReason = countDeadLettersWithAReason(broker, "dead_letter." + queue);
        assertEquals(deadLetters, bus.admin().deadLetters().count(queue), "every malformed message dead-lettered once");
        assertEquals(deadLetters, withReason, "every dead letter says why");
        assertEquals(consumerPid, consumerPid(broker, bus), "the consumer connection never reconnected");
        long heap = usedHeapAfterGc();
        System.out.printf("fuzz seed %d: malformed %d / dead-lettered with reason %d / malformed but handled %d / "
                        + "valid handled %d / lost %d / heap after GC %d MiB / categories %s%n", SEED, MALFORMED, withReason,
                malformedHandled, handled.size(), valid.size() - handled.size(), heap >> 20, categories);
        assertTrue(heap < 512L << 20, () -> "heap after GC " + (heap >> 20) + " MiB");
    }

    private record Case(int seq, AMQP.BasicProperties properties, byte[] body, Verdict verdict) {
    }

    /** One malformed message; its verdict is what the codec must make of it (checked against the codec first). */
    private Case malformed(int seq) {
        String valid = envelope(seq);
        int category = random.nextInt(12);
        byte[] body;
        AMQP.BasicProperties properties = plain();
        Verdict certain = null; // null: whatever the codec decides (then it is checked to be one or the other)
        switch (category) {
            case 0 -> {
                body = new byte[random.nextInt(2000)];
                random.nextBytes(body);
                certain = Verdict.DEAD_LETTERED;
                count("random bytes");
            }
            case 1 -> {
                byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
                int at = valid.indexOf("\"note\":\"n\"") + "\"note\":\"".length();
                java.io.ByteArrayOutputStream broken = new java.io.ByteArrayOutputStream();
                broken.write(bytes, 0, at);
                broken.write(0xC3);
                broken.write(0x28); // an invalid UTF-8 sequence inside a string, in place of the note
                broken.write(bytes, at + 1, bytes.length - at - 1);
                body = broken.toByteArray();
                certain = Verdict.DEAD_LETTERED;
                count("non-UTF-8");
            }
            case 2 -> {
                body = valid.substring(0, random.nextInt(valid.length() - 1)).getBytes(StandardCharsets.UTF_8);
                certain = Verdict.DEAD_LETTERED;
                count("truncated JSON");
            }
            case 3 -> {
                int depth = 500 + random.nextInt(20_000);
                body = replace(valid, "\"n\"", "[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8);
                certain = Verdict.DEAD_LETTERED;
                count("deeply nested JSON");
            }
            case 4 -> {
                if (random.nextInt(10) == 0) {
                    body = replace(valid, "\"n\"", "\"" + "x".repeat(256 * 1024 + random.nextInt(1024 * 1024)) + "\"")
                            .getBytes(StandardCharsets.UTF_8);
                    certain = Verdict.HANDLED; // big but valid: innocent
                    count("oversized but valid body");
                } else {
                    body = ("{\"data\":" + "\"".repeat(1) + "x".repeat(random.nextInt(64 * 1024)) + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    certain = Verdict.DEAD_LETTERED;
                    count("oversized data string");
                }
            }
            case 5 -> {
                String[][] fields = {{"\"id\":\"" + idOf(valid) + "\"", "\"id\":42"}, {"\"id\":\"" + idOf(valid) + "\"", "\"id\":\"\""},
                        {"\"id\":\"" + idOf(valid) + "\"", "\"id\":\"not-a-uuid\""}, {"\"type\":\"fuzzed\"", "\"type\":7"},
                        {"\"type\":\"fuzzed\"", "\"type\":[\"fuzzed\"]"}, {"\"version\":1", "\"version\":\"1\""},
                        {"\"version\":1", "\"version\":1.5"}, {"\"version\":1", "\"version\":null"},
                        {"\"attributes\":{", "\"attributes\":\"x\", \"ignored\":{"}, {"\"seq\":" + seq, "\"seq\":\"" + seq + "\""},
                        {"\"seq\":" + seq, "\"seq\":" + seq + ".5"}, {"\"seq\":" + seq, "\"seq\":null"},
                        {"\"note\":\"n\"", "\"note\":12"}, {"\"note\":\"n\"", "\"note\":{\"@class\":\"java.net.URL\"}"}};
                String[] field = fields[random.nextInt(fields.length)];
                body = replace(valid, field[0], field[1]).getBytes(StandardCharsets.UTF_8);
                certain = Verdict.DEAD_LETTERED;
                count("wrong type: " + field[1].split(":")[0]);
            }
            case 6 -> {
                body = replace(valid, "\"attributes\":{", "\"attributes\":{\"@class\":\"java.net.URL\", ")
                        .getBytes(StandardCharsets.UTF_8);
                certain = Verdict.HANDLED; // no default typing: an unknown field, ignored
                count("polymorphic @class field");
            }
            case 7, 8 -> {
                // headers the library reads, with values of every odd kind, on a valid body: still handled once
                Map<String, Object> headers = new HashMap<>();
                Object[] odd = {Integer.MAX_VALUE, Long.MAX_VALUE, 1e308, "2147483647", -5, -1e308, // no NaN: the broker cannot parse it
                       
                        LongString.class.getName(), Map.of("nested", List.of(1, 2)), List.of("a", List.of()), new byte[] {1, 2},
                        new Date(0), ""};
                for (String header : List.of(Headers.RETRY_COUNT, Headers.PETISCO_REDELIVERY_COUNT, Headers.ORIGINAL_ROUTING_KEY,
                        Headers.PETISCO_QUEUE, "x-death", Headers.ATTEMPTS, Headers.DEAD_LETTER_REASON)) {
                    if (random.nextBoolean()) {
                        headers.put(header, odd[random.nextInt(odd.length)]);
                    }
                }
                headers.put("x-death", List.of(Map.of("queue", 12, "reason", List.of(), "count", "many")));
                properties = new AMQP.BasicProperties.Builder().deliveryMode(2).headers(headers).build();
                body = valid.getBytes(StandardCharsets.UTF_8);
                certain = Verdict.HANDLED;
                count("odd headers on a valid body");
            }
            case 9 -> {
                properties = new AMQP.BasicProperties.Builder().contentType("text/plain").contentEncoding("gzip")
                        .deliveryMode(1).build();
                body = valid.getBytes(StandardCharsets.UTF_8);
                certain = Verdict.HANDLED;
                count("wrong content type on a valid body");
            }
            case 10 -> {
                Map<String, Object> headers = Map.of("big", "h".repeat(32 * 1024 + random.nextInt(64 * 1024)));
                properties = new AMQP.BasicProperties.Builder().deliveryMode(2).headers(headers).build();
                body = ("garbage " + seq).getBytes(StandardCharsets.UTF_8);
                certain = Verdict.DEAD_LETTERED;
                count("oversized headers on an undecodable body");
            }
            default -> {
                body = replace(valid, "\"type\":\"fuzzed\"", "\"type\":\"other.thing\"").getBytes(StandardCharsets.UTF_8);
                certain = Verdict.DEAD_LETTERED;
                count("unknown type");
            }
        }
        Verdict codec = decodes(body) ? Verdict.HANDLED : Verdict.DEAD_LETTERED;
        if (certain != null && certain != codec) {
            throw new AssertionError("the codec makes " + codec + " of a '" + lastCategory + "' case, expected " + certain
                    + " (seed " + SEED + "): " + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8));
        }
        return new Case(seq, properties, body, codec);
    }

    private String lastCategory = "";

    /** A valid envelope of a {@code Fuzzed} event as petisco writes it, compact, for the cases to break. */
    private static String envelope(int seq) {
        return "{\"data\":{\"id\":\"" + java.util.UUID.nameUUIDFromBytes(("fuzz-" + seq).getBytes(StandardCharsets.UTF_8))
                + "\",\"type\":\"fuzzed\",\"type_message\":\"domain_event\",\"version\":1,"
                + "\"occurred_on\":\"2026-12-01 10:00:00.000000\",\"attributes\":{\"seq\":" + seq + ",\"note\":\"n\"},"
                + "\"meta\":{}}}";
    }

    private void count(String category) {
        lastCategory = category;
        categories.computeIfAbsent(category, c -> new AtomicInteger()).incrementAndGet();
    }

    private boolean decodes(byte[] body) {
        try {
            Message<?> message = oracle.toMessage(oracle.decodeEnvelope(body));
            return message.payload() instanceof Fuzzed;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String idOf(String valid) {
        int at = valid.indexOf("\"id\":");
        int start = valid.indexOf('"', at + 5) + 1;
        return valid.substring(start, valid.indexOf('"', start));
    }

    private static String replace(String text, String what, String with) {
        if (!text.contains(what)) {
            throw new AssertionError("the encoded envelope has no " + what + ": " + text);
        }
        return text.replace(what, with);
    }

    private static AMQP.BasicProperties plain() {
        return new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    }

    private static MessageRegistry registry() {
        MessageRegistry registry = new MessageRegistry();
        registry.register(MessageType.of(Fuzzed.class));
        return registry;
    }

    private static long countDeadLettersWithAReason(TestBroker broker, String deadLetterQueue) throws Exception {
        long withReason = 0;
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            GetResponse response;
            while ((response = channel.basicGet(deadLetterQueue, false)) != null) {
                Map<String, Object> headers = response.getProps().getHeaders();
                if (headers != null && (headers.get(Headers.DEAD_LETTER_REASON) != null || headers.get("x-death") != null)) {
                    withReason++;
                }
            }
            // closing the channel puts them all back
        }
        return withReason;
    }

    private static String consumerPid(TestBroker broker, RabbitMqEventBus bus) {
        String name = bus.connectionName() + "-consumer";
        RabbitMqCtl ctl = broker.ctl();
        return Await.untilValue("the consumer connection " + name, Duration.ofSeconds(10),
                () -> ctl.listConnections().stream().filter(c -> name.equals(c.clientProvidedName()))
                        .map(RabbitMqCtl.ConnectionInfo::pid).findFirst().orElse(null), pid -> pid != null);
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
