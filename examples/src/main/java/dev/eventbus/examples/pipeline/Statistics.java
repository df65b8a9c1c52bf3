package dev.eventbus.examples.pipeline;

import dev.eventbus.core.Message;
import dev.eventbus.core.MessageKind;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.launch.JsonHttpServer;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.List;
import java.util.Map;

/**
 * The service {@value #SERVICE}: counts every message the pipeline's services publish and measures how long tasks
 * take, in an embedded H2 database, and serves it as JSON on {@code GET /api/statistics}. For each service it
 * observes ({@link #OBSERVED}) it subscribes one handler of every message, {@code <service>_messages}, with
 * {@code Subscription.allMessages(...).from(service)}: a queue of its own, {@code <organization>.statistics.all.<handler>},
 * bound to that service's exchange with its event and command keys, so it sees every message of it without listing
 * types and without competing with the event store. Messages arrive untyped (their attributes as a map). Counting
 * is by message id, so redeliveries are not counted twice. Thread-safe.
 */
public final class Statistics implements AutoCloseable {

    /** The service name, hence the exchange {@code <organization>.statistics}. */
    public static final String SERVICE = "statistics";
    /** The services whose messages it counts. */
    public static final List<String> OBSERVED = List.of(Datagen.SERVICE, Distributor.SERVICE, Processor.SERVICE);

    private static final String TASK_STARTED = MessageType.of(TaskStarted.class).name();
    private static final String TASK_FINISHED = MessageType.of(TaskFinished.class).name();

    private final StatisticsStore store;
    private final RabbitMqEventBus bus;
    private final JsonHttpServer http;

    private Statistics(ServiceBuses buses, StatisticsStore store, JsonHttpServer http) {
        this.store = store;
        this.http = http;
        this.bus = buses.bus(SERVICE, b -> b.validator(PipelineSchemas.validator())
                .subscribe(OBSERVED.stream().map(this::observing).toArray(Subscription[]::new)));
    }

    /** The handler name of a service's messages: {@code <service>_messages}. */
    public static String handlerName(String service) {
        return service + "_messages";
    }

    private Subscription observing(String service) {
        return Subscription.allMessages(handlerName(service), this::record).from(service);
    }

    /**
     * Opens the database at {@code jdbcUrl} (e.g. {@code jdbc:h2:mem:statistics}), declares its queues, starts
     * consuming and serves on {@code port} (0 for any free port).
     *
     * @throws dev.eventbus.core.EventBusException if the database, the broker or the port is unavailable
     */
    public static Statistics start(ServiceBuses buses, String jdbcUrl, int port) {
        StatisticsStore store = StatisticsStore.open(jdbcUrl);
        JsonHttpServer http;
        try {
            http = JsonHttpServer.bind("statistics", port);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        Statistics statistics = new Statistics(buses, store, http);
        try {
            statistics.bus.admin().configure();
            statistics.bus.start();
            http.route("GET", "/api/statistics", request -> JsonHttpServer.Response.ok(statistics.snapshot())).start();
        } catch (RuntimeException e) {
            statistics.close();
            throw e;
        }
        return statistics;
    }

    private void record(Message<Map<String, Object>> message) {
        if (!store.count(message.id(), message.name(), message.version(), message.occurredOn())) {
            return;
        }
        if (message.kind() != MessageKind.DOMAIN_EVENT) {
            return;
        }
        Map<String, Object> attributes = message.payload();
        if (message.name().equals(TASK_STARTED)) {
            store.started(String.valueOf(attributes.get("task_id")), message.occurredOn());
        } else if (message.name().equals(TASK_FINISHED)) {
            // version 1 has no duration_millis; version 2 reports the processor's own measure
            Object reported = attributes.get("duration_millis");
            store.finished(String.valueOf(attributes.get("task_id")), message.occurredOn(),
                    reported instanceof Number millis ? millis.longValue() : null);
        }
    }

    /** The counts and durations now. */
    public StatisticsSnapshot snapshot() {
        return StatisticsSnapshot.of(store.counts(), store.durations());
    }

    /** The HTTP port. */
    public int port() {
        return http.port();
    }

    /** Stops serving and consuming, then closes the database. */
    @Override
    public void close() {
        http.close();
        bus.stop();
        store.close();
    }
}
