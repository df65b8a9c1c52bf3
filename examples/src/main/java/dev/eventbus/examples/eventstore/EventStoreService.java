package dev.eventbus.examples.eventstore;

import dev.eventbus.core.Convention;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageKind;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.launch.JsonHttpServer;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores every event and command of the service's exchange and replays them on request.
 *
 * <p>It is the service's store subscription, {@value #HANDLER}: it reads the shared {@code store} queue with one
 * handler thread, so messages are stored in the order they were routed, each under the next offset (a redelivered
 * message id is stored once). A {@link ReplayRequested} command reaches it through the same queue, after every
 * message published before it: so when it handles the request, everything the subscriber could have missed is
 * stored. It then sends the stored messages of the requesting queue's routing key, from the requested offset on, in
 * chunks of {@code chunkSize}, to that queue only ({@link Replayer}), and publishes {@link ReplayCompleted}.
 *
 * <p>HTTP: {@code GET /api/events?from=1&limit=100} (offset, id, name, version, routing key of each) and
 * {@code GET /api/events/head} ({@code {"head": n, "count": n}}). Thread-safe.
 */
public final class EventStoreService implements AutoCloseable {

    /** The store handler's name. */
    public static final String HANDLER = "event_store";
    /** The name of {@link ReplayRequested} on the wire, as the store handler sees it (untyped). */
    static final String REPLAY_REQUESTED = "replay.requested";
    /** The store's retries: 5, 500 ms apart (the TTL of the vhost-wide {@code retry.store} queue). */
    public static final RetryPolicy STORE_RETRY = RetryPolicy.of(5, Duration.ofMillis(500));

    private static final Logger log = LoggerFactory.getLogger(EventStoreService.class);

    private final EventStore store;
    private final int chunkSize;
    private final RabbitMqEventBus bus;
    private final Replayer replayer;
    private final JsonHttpServer http;

    private EventStoreService(ServiceBuses buses, EventStore store, int chunkSize, JsonHttpServer http) {
        this.store = store;
        this.chunkSize = chunkSize;
        this.http = http;
        this.bus = buses.bus(b -> b.validator(PipelineSchemas.storeValidator())
                .consumerThreads(1)
                // retry.store is one queue per vhost and its TTL is the declaring bus's default delay: every store
                // subscriber of the vhost must agree on it. 500 ms is what the other examples (the demo) declare.
                .retryPolicy(STORE_RETRY)
                .subscribe(Subscription.store(HANDLER, this::store)));
        this.replayer = new Replayer(buses.connection(), bus.convention(), Duration.ofSeconds(30));
    }

    /**
     * Opens the store, declares the store queues, starts consuming and serves on {@code port} (0 for any free port).
     *
     * @param chunkSize how many stored messages a replay reads and publishes at a time
     * @throws dev.eventbus.core.EventBusException if the database, the broker or the port is unavailable
     */
    public static EventStoreService start(ServiceBuses buses, EventStore store, int chunkSize, int port) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize " + chunkSize + " must be 1 or more");
        }
        JsonHttpServer http = JsonHttpServer.bind("eventstore", port);
        EventStoreService service = new EventStoreService(buses, store, chunkSize, http);
        try {
            service.bus.configure();
            service.bus.start();
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        http.route("GET", "/api/events", request -> JsonHttpServer.Response.ok(service.list(
                        request.longParameter("from", 1), (int) Math.min(1000, request.longParameter("limit", 100)))))
                .route("GET", "/api/events/head", request -> JsonHttpServer.Response.ok(
                        Map.of("head", store.head(), "count", store.count())))
                .start();
        return service;
    }

    private void store(Message<Map<String, Object>> message) {
        Convention convention = bus.convention();
        // The store queue can be bound to other services' exchanges too, but the handler is not told which exchange or
        // routing key a message came with: we derive the key from this service's convention.
        String routingKey = convention.routingKey(message);
        String body = new String(bus.codec().encode(message), StandardCharsets.UTF_8);
        OptionalLong offset = store.append(message.id(), message.name(), message.version(), message.kind().wireValue(),
                routingKey, message.occurredOn(), body);
        if (offset.isPresent()) {
            log.debug("stored {} at offset {}", message.describe(), offset.getAsLong());
        }
        if (message.kind() == MessageKind.COMMAND && message.name().equals(REPLAY_REQUESTED) && message.version() == 1) {
            replay(message);
        }
    }

    private void replay(Message<Map<String, Object>> request) {
        Map<String, Object> attributes = request.payload();
        String queue = String.valueOf(attributes.get("handler_queue"));
        String prefix = bus.convention().mainExchange() + ".";
        int handler = queue.lastIndexOf('.');
        if (!queue.startsWith(prefix) || handler <= prefix.length()) {
            throw new NonRetryableException("replay requested for queue '" + queue + "', which is not a handler queue of "
                    + bus.convention().mainExchange() + " (<routing key>.<handler>): nothing to replay to");
        }
        String routingKey = queue.substring(0, handler);
        long from = ((Number) attributes.get("from_offset")).longValue();
        Object after = attributes.get("after_message_id");
        if (after instanceof String id && !id.isBlank()) {
            OptionalLong offset = store.offsetOf(id);
            if (offset.isPresent()) {
                from = Math.max(from, offset.getAsLong() + 1);
            }
        }
        long first = from;
        long last = from - 1;
        long replayed = 0;
        List<StoredEvent> chunk = store.read(from, routingKey, chunkSize);
        while (!chunk.isEmpty()) {
            replayer.send(queue, chunk);
            replayed += chunk.size();
            last = chunk.get(chunk.size() - 1).offset();
            chunk = chunk.size() < chunkSize ? List.of() : store.read(last + 1, routingKey, chunkSize);
        }
        log.info("replayed {} stored messages (offsets {} to {}) to {}", replayed, first, last, queue);
        bus.publish(new ReplayCompleted(queue, request.id(), first, last, replayed));
    }

    private List<Map<String, Object>> list(long from, int limit) {
        return store.read(from, null, limit).stream().<Map<String, Object>>map(event -> Map.of(
                "offset", event.offset(), "message_id", event.messageId(), "name", event.name(),
                "version", event.version(), "routing_key", event.routingKey(),
                "occurred_on", event.occurredOn().toString())).toList();
    }

    /** The store this service writes to. */
    public EventStore store() {
        return store;
    }

    /** The HTTP port. */
    public int port() {
        return http.port();
    }

    /** Stops serving and consuming and closes the replay connection; the store stays open (its owner closes it). */
    @Override
    public void close() {
        http.close();
        bus.stop();
        replayer.close();
    }
}
