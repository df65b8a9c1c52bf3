package dev.eventbus.examples.eventstore;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageKind;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.launch.JsonHttpServer;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.UnroutableMessageException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service {@value #SERVICE}: stores every event and command of the organization's services and replays them
 * on request.
 *
 * <p>It is the store subscription {@value #HANDLER}: it reads the vhost's one {@code store} queue, which every
 * service that declares the store binds its exchange to, with one handler thread, so messages are stored in the
 * order the broker routed them, each under the next offset (a redelivered message id is stored once). A
 * {@link ReplayRequested} command reaches it through the same queue, after every message published before it: so
 * when it handles the request, everything the subscriber could have missed is stored. It then sends the stored
 * messages of the requested name and version, from the requested offset on, in chunks of {@code chunkSize}, to the
 * requesting queue only ({@code RabbitMqEventBus.deliverTo}: a chunk in order on one channel, confirmed before the
 * next is read), and publishes {@link ReplayCompleted}.
 *
 * <p>HTTP: {@code GET /api/events?from=1&limit=100} (offset, id, name, version, kind of each) and
 * {@code GET /api/events/head} ({@code {"head": n, "count": n}}). Thread-safe.
 */
public final class EventStoreService implements AutoCloseable {

    /** The service name, hence the exchange {@code <organization>.eventstore}. */
    public static final String SERVICE = "eventstore";
    /** The store handler's name. */
    public static final String HANDLER = "event_store";
    /** The name of {@link ReplayRequested} on the wire, as the store handler sees it (untyped). */
    static final String REPLAY_REQUESTED = "replay.requested";

    private static final Logger log = LoggerFactory.getLogger(EventStoreService.class);

    private final EventStore store;
    private final int chunkSize;
    private final RabbitMqEventBus bus;
    private final JsonHttpServer http;

    private EventStoreService(ServiceBuses buses, EventStore store, int chunkSize, JsonHttpServer http) {
        this.store = store;
        this.chunkSize = chunkSize;
        this.http = http;
        // one handler thread: messages are stored in the order the broker routed them. The retry delay of store
        // messages is retry.store's TTL, one queue per vhost (storeRetryDelay, petisco's 5 s, for every service)
        this.bus = buses.bus(SERVICE, b -> b.validator(PipelineSchemas.storeValidator())
                .consumerThreads(1)
                .subscribe(Subscription.store(HANDLER, this::store)));
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
            service.bus.admin().configure();
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
        String body = new String(bus.codec().encode(message), StandardCharsets.UTF_8);
        OptionalLong offset = store.append(message.id(), message.name(), message.version(), message.kind().wireValue(),
                message.occurredOn(), body);
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
        String name = String.valueOf(attributes.get("message_name"));
        int version = ((Number) attributes.get("message_version")).intValue();
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
        List<StoredEvent> chunk = store.read(from, name, version, chunkSize);
        while (!chunk.isEmpty()) {
            List<byte[]> bodies = chunk.stream().map(event -> event.body().getBytes(StandardCharsets.UTF_8)).toList();
            try {
                bus.admin().deliverTo(queue, bodies);
            } catch (ConfigurationException | UnroutableMessageException e) {
                throw new NonRetryableException("replay requested for queue '" + queue + "', which is not a configured handler "
                        + "queue: nothing to replay to (" + e.getMessage() + ")", e);
            }
            replayed += chunk.size();
            last = chunk.get(chunk.size() - 1).offset();
            chunk = chunk.size() < chunkSize ? List.of() : store.read(last + 1, name, version, chunkSize);
        }
        log.info("replayed {} stored {} v{} (offsets {} to {}) to {}", replayed, name, version, first, last, queue);
        bus.publish(new ReplayCompleted(queue, request.id(), first, last, replayed));
    }

    private List<Map<String, Object>> list(long from, int limit) {
        return store.read(from, limit).stream().<Map<String, Object>>map(event -> Map.of(
                "offset", event.offset(), "message_id", event.messageId(), "name", event.name(),
                "version", event.version(), "kind", event.kind(),
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

    /** Stops serving, consuming and delivering; the store stays open (its owner closes it). */
    @Override
    public void close() {
        http.close();
        bus.stop();
    }
}
