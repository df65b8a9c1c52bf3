package dev.eventbus.examples.pipeline;

import dev.eventbus.examples.launch.JsonHttpServer;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The service {@value #SERVICE}: creates data objects. {@code POST /api/objects} (no body, or
 * {@code {"kind": "video"}}) publishes {@link ObjectCreated} on its exchange {@code <organization>.datagen} and
 * answers 201 with {@code {"id": "...", "kind": "..."}} once the broker confirmed it; 503 if it could not be
 * published (e.g. the broker is unreachable). Its exchange feeds the vhost's store queue. Thread-safe.
 */
public final class Datagen implements AutoCloseable {

    /** The service name, hence the exchange {@code <organization>.datagen}. */
    public static final String SERVICE = "datagen";

    /** The kind of objects created without a body. */
    public static final String DEFAULT_KIND = "document";
    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_-]*");

    private final RabbitMqEventBus bus;
    private final JsonHttpServer http;

    private Datagen(RabbitMqEventBus bus, JsonHttpServer http) {
        this.bus = bus;
        this.http = http;
    }

    /**
     * Declares its exchanges (bound to the store queue) and serves on {@code port} (0 for any free port).
     *
     * @throws dev.eventbus.core.EventBusException if the broker cannot be reached or the port bound
     */
    public static Datagen start(ServiceBuses buses, int port) {
        RabbitMqEventBus bus = buses.storedBus(SERVICE, b -> b.validator(PipelineSchemas.validator()));
        try {
            bus.admin().configure();
        } catch (RuntimeException e) {
            bus.stop();
            throw e;
        }
        JsonHttpServer http;
        try {
            http = JsonHttpServer.bind("datagen", port);
        } catch (RuntimeException e) {
            bus.stop();
            throw e;
        }
        Datagen datagen = new Datagen(bus, http);
        http.route("POST", "/api/objects", request -> {
            Object kind = request.json().getOrDefault("kind", DEFAULT_KIND);
            if (!(kind instanceof String text) || !KIND.matcher(text).matches()) {
                throw new JsonHttpServer.BadRequestException("kind " + kind + " is not valid: lower-case letters, digits, '_' "
                        + "and '-', starting with a letter, e.g. document");
            }
            ObjectCreated created = datagen.create(text);
            return new JsonHttpServer.Response(201, Map.of("id", created.objectId(), "kind", created.kind()));
        }).start();
        return datagen;
    }

    /**
     * Creates an object of a kind and publishes {@link ObjectCreated}; returns once the broker confirmed it.
     *
     * @throws dev.eventbus.core.EventBusException if it could not be published
     */
    public ObjectCreated create(String kind) {
        ObjectCreated created = new ObjectCreated(UUID.randomUUID().toString(), kind);
        bus.publish(created);
        return created;
    }

    /** The HTTP port. */
    public int port() {
        return http.port();
    }

    /** Stops serving and stops the bus. */
    @Override
    public void close() {
        http.close();
        bus.stop();
    }
}
