package dev.eventbus.examples.pipeline;

import dev.eventbus.core.Message;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.launch.JsonHttpServer;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.rabbitmq.RabbitMqEventBus;

/**
 * Counts every pipeline message and measures how long tasks take, in an embedded H2 database, and serves it as
 * JSON on {@code GET /api/statistics}. It subscribes one handler, {@value #HANDLER}, to every pipeline message type
 * and both versions of {@code task.finished}: a store subscription would see every message too, but the store queue
 * is one queue per vhost, so it would compete with the event store for messages (examples/README.md). Counting is by
 * message id, so redeliveries are not counted twice. Thread-safe.
 */
public final class Statistics implements AutoCloseable {

    /** The handler name. */
    public static final String HANDLER = "statistics";

    private final StatisticsStore store;
    private final RabbitMqEventBus bus;
    private final JsonHttpServer http;

    private Statistics(ServiceBuses buses, StatisticsStore store, JsonHttpServer http) {
        this.store = store;
        this.http = http;
        this.bus = buses.bus(b -> b.validator(PipelineSchemas.validator())
                .subscribe(Subscription.of(HANDLER, this::record, ObjectCreated.class, TaskCreated.class,
                        TaskStarted.class, TaskFinished.class, TaskFinishedV2.class)));
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
            statistics.bus.configure();
            statistics.bus.start();
            http.route("GET", "/api/statistics", request -> JsonHttpServer.Response.ok(statistics.snapshot())).start();
        } catch (RuntimeException e) {
            statistics.close();
            throw e;
        }
        return statistics;
    }

    private void record(Message<Object> message) {
        if (!store.count(message.id(), message.name(), message.version(), message.occurredOn())) {
            return;
        }
        Object payload = message.payload();
        if (payload instanceof TaskStarted started) {
            store.started(started.taskId(), message.occurredOn());
        } else if (payload instanceof TaskFinished done) {
            store.finished(done.taskId(), message.occurredOn(), null);
        } else if (payload instanceof TaskFinishedV2 done) {
            store.finished(done.taskId(), message.occurredOn(), done.durationMillis());
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
