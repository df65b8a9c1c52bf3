package dev.eventbus.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A petisco service as the wire notes describe it, written with amqp-client: its configurer's declarations (as pika
 * sends them: 32-bit integer TTLs, 5 s on handler, retry and store queues) and its consumer's rules. The consumer of
 * one handler queue:
 * <ul>
 *   <li>parses the body: {@code data.id} must be a UUID and {@code occurred_on} petisco's
 *       {@code %Y-%m-%d %H:%M:%S.%f}; a body it cannot parse is nacked back to the queue (counted in
 *       {@link #unparsable()});</li>
 *   <li>on a failure, when the message has no headers at all, sets {@code queue} to the delivery's routing key plus the
 *       handler name (the trap: headers without {@code queue} retry under the delivery's own key);</li>
 *   <li>republishes (keeping the properties and headers) to {@code retry.<org>.<service>} with key
 *       {@code retry.<queue header or routing key>} and {@code redelivery_count} + 1, or, once
 *       {@code redelivery_count >= maxRetries}, to {@code dead_letter.<org>.<service>} with the delivery's routing key
 *       prefixed {@code dead_letter.}; then acks.</li>
 * </ul>
 */
final class PetiscoService implements AutoCloseable {

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final DateTimeFormatter PETISCO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    static final int TTL = 5000;

    private final ObjectMapper mapper = new ObjectMapper();
    private final String organization;
    private final String service;
    private final Channel channel;
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final List<String> retryKeys = new CopyOnWriteArrayList<>();
    private final AtomicInteger unparsable = new AtomicInteger();

    PetiscoService(Connection connection, String organization, String service) throws IOException {
        this.organization = organization;
        this.service = service;
        this.channel = connection.createChannel();
    }

    private String exchange() {
        return organization + "." + service;
    }

    /** petisco's subscribers configurer for one handler of one routing key. */
    void declareHandler(String routingKey, String handler) throws IOException {
        String queue = routingKey + "." + handler;
        for (String name : List.of(exchange(), "retry." + exchange(), "dead_letter." + exchange())) {
            channel.exchangeDeclare(name, BuiltinExchangeType.TOPIC, true);
        }
        channel.queueDeclare(queue, true, false, false, Map.of("x-dead-letter-exchange", "dead_letter." + exchange(),
                "x-dead-letter-routing-key", "dead_letter." + queue, "x-message-ttl", TTL));
        channel.queueDeclare("retry." + queue, true, false, false, Map.of("x-dead-letter-exchange", exchange(),
                "x-dead-letter-routing-key", "retry." + queue, "x-message-ttl", TTL));
        channel.queueDeclare("dead_letter." + queue, true, false, false, Map.of());
        channel.queueBind(queue, exchange(), routingKey);
        channel.queueBind(queue, exchange(), "retry." + queue);
        channel.queueBind("retry." + queue, "retry." + exchange(), "retry." + queue);
        channel.queueBind("dead_letter." + queue, "dead_letter." + exchange(), "dead_letter." + queue);
    }

    /** petisco's store configurer (RabbitMqMessageStoreConfigurer). */
    void declareStore() throws IOException {
        String commonRetry = "retry." + organization + ".store";
        String commonDeadLetter = "dead_letter." + organization + ".store";
        for (String name : List.of(exchange(), "retry." + exchange(), "dead_letter." + exchange(), commonRetry, commonDeadLetter)) {
            channel.exchangeDeclare(name, BuiltinExchangeType.TOPIC, true);
        }
        channel.queueDeclare("store", true, false, false, Map.of("x-dead-letter-exchange", commonDeadLetter,
                "x-dead-letter-routing-key", "dead_letter.store", "x-message-ttl", TTL));
        channel.queueDeclare("retry.store", true, false, false, Map.of("x-dead-letter-exchange", commonRetry,
                "x-dead-letter-routing-key", "store", "x-message-ttl", TTL));
        channel.queueDeclare("dead_letter.store", true, false, false, Map.of());
        for (String key : List.of("*.*.*.event.*", "*.*.*.command.*")) {
            channel.queueBind("store", exchange(), key);
            channel.queueBind("store", commonRetry, key);
            channel.queueBind("dead_letter.store", "dead_letter." + exchange(), "dead_letter." + key);
        }
        channel.queueBind("store", exchange(), "retry.store");
        channel.queueBind("store", exchange(), "store");
        channel.queueBind("store", commonRetry, "store");
        channel.queueBind("retry.store", commonRetry, "retry.store");
        channel.queueBind("dead_letter.store", commonDeadLetter, "dead_letter.store");
        channel.queueBind("dead_letter.store", "dead_letter." + exchange(), "dead_letter.store");
    }

    /** Consumes a handler queue as petisco's consumer does; {@code fails} decides per body whether the handler fails. */
    void consume(String queue, String handler, int maxRetries, Predicate<JsonNode> fails) throws IOException {
        channel.basicQos(10);
        channel.basicConsume(queue, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                JsonNode data;
                try {
                    data = parse(body);
                } catch (RuntimeException | IOException e) {
                    unparsable.incrementAndGet();
                    getChannel().basicNack(envelope.getDeliveryTag(), false, true);
                    return;
                }
                attempts.computeIfAbsent(data.path("id").asText(), id -> new AtomicInteger()).incrementAndGet();
                if (fails.test(data)) {
                    // petisco's RabbitMqMessageConsumer: it fills in `queue` only when there are no headers at all
                    Map<String, Object> headers = properties.getHeaders() == null || properties.getHeaders().isEmpty()
                            ? new HashMap<>(Map.of("queue", envelope.getRoutingKey() + "." + handler))
                            : new HashMap<>(properties.getHeaders());
                    boolean tooMuch = headers.get("redelivery_count") == null ? maxRetries < 1
                            : ((Number) headers.get("redelivery_count")).intValue() >= maxRetries;
                    int redelivery = headers.get("redelivery_count") == null ? 0 : ((Number) headers.get("redelivery_count")).intValue();
                    headers.put("redelivery_count", redelivery + 1);
                    AMQP.BasicProperties republished = properties.builder().headers(headers).build();
                    if (tooMuch) {
                        getChannel().basicPublish("dead_letter." + exchange(), prefixed(envelope.getRoutingKey(), "dead_letter."),
                                republished, body);
                    } else {
                        String key = prefixed(String.valueOf(headers.getOrDefault("queue", envelope.getRoutingKey())), "retry.");
                        retryKeys.add(key);
                        getChannel().basicPublish("retry." + exchange(), key, republished, body);
                    }
                }
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });
    }

    /** petisco's {@code _get_routing_key}: swap a retry./dead_letter. prefix for the given one, else add it. */
    private static String prefixed(String routingKey, String prefix) {
        if (routingKey.startsWith("retry.")) {
            return prefix + routingKey.substring("retry.".length());
        }
        if (routingKey.startsWith("dead_letter.")) {
            return prefix + routingKey.substring("dead_letter.".length());
        }
        return prefix + routingKey;
    }

    private JsonNode parse(byte[] body) throws IOException {
        JsonNode data = mapper.readTree(body).path("data");
        if (!UUID.matcher(data.path("id").asText()).matches()) {
            throw new IllegalArgumentException("id is not a UUID: " + data.path("id"));
        }
        LocalDateTime.parse(data.path("occurred_on").asText(), PETISCO_TIME);
        return data;
    }

    /** How often the handler ran on each message id. */
    Map<String, AtomicInteger> attempts() {
        return attempts;
    }

    /** The routing keys the consumer retried under, in order. */
    List<String> retryKeys() {
        return retryKeys;
    }

    /** How many bodies it could not parse (and nacked back). */
    int unparsable() {
        return unparsable.get();
    }

    @Override
    public void close() throws Exception {
        if (channel.isOpen()) {
            channel.close();
        }
    }
}
