package dev.eventbus.examples.typed;

import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.MessageType;
import dev.eventbus.examples.launch.JsonHttpServer;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.pipeline.Processor;
import dev.eventbus.examples.pipeline.TaskCreated;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dead letters of the processors, on demand over HTTP: {@code GET /api/dead-letters} lists up to {@code max}
 * (default 100) without removing them; {@code POST /api/dead-letters/reprocess?max=n} sends up to {@code n}
 * (default 100) back to the processors' queue with their retry count reset, e.g. once a fix is deployed. It is an
 * operations desk of the service {@code processor}, so its bus is a bus of that service: the dead-letter queue and
 * the retry route back to the handler queue are the processor service's. Thread-safe; requests block while the
 * broker answers.
 */
public final class DeadLetterDesk implements AutoCloseable {

    private final RabbitMqEventBus bus;
    private final JsonHttpServer http;
    private final String queue;

    private DeadLetterDesk(RabbitMqEventBus bus, JsonHttpServer http) {
        this.bus = bus;
        this.http = http;
        this.queue = bus.convention().handlerQueue(MessageType.of(TaskCreated.class), Processor.HANDLER);
    }

    /**
     * Declares the processor service's exchanges, then serves on {@code port} (0 for any free port).
     *
     * @throws dev.eventbus.core.EventBusException if the broker cannot be reached or the port bound
     */
    public static DeadLetterDesk start(ServiceBuses buses, int port) {
        RabbitMqEventBus bus = buses.bus(Processor.SERVICE, b -> b.validator(PipelineSchemas.validator()));
        JsonHttpServer http;
        try {
            bus.admin().configure();
            http = JsonHttpServer.bind("dead-letters", port);
        } catch (RuntimeException e) {
            bus.stop();
            throw e;
        }
        DeadLetterDesk desk = new DeadLetterDesk(bus, http);
        http.route("GET", "/api/dead-letters", request -> JsonHttpServer.Response.ok(
                        desk.list((int) request.longParameter("max", 100))))
                .route("POST", "/api/dead-letters/reprocess", request -> JsonHttpServer.Response.ok(
                        Map.of("queue", desk.queue, "reprocessed", desk.reprocess((int) request.longParameter("max", 100)))))
                .start();
        return desk;
    }

    /** The processors' dead letters, oldest first, left in place: reason, attempts, exception and body of each. */
    public List<Map<String, Object>> list(int max) {
        List<DeadLetter> letters = bus.admin().deadLetters().peek(queue, max);
        return letters.stream().map(DeadLetterDesk::describe).toList();
    }

    /** Sends up to {@code max} dead letters back to the processors; how many were sent. */
    public int reprocess(int max) {
        return bus.admin().deadLetters().reprocess(queue, max);
    }

    /** The HTTP port. */
    public int port() {
        return http.port();
    }

    private static Map<String, Object> describe(DeadLetter letter) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reason", letter.reason().wireValue());
        out.put("attempts", letter.attempts());
        out.put("handler", letter.handler());
        out.put("routing_key", letter.routingKey());
        out.put("exception_class", letter.exceptionClass());
        out.put("exception_message", letter.exceptionMessage());
        out.put("dead_lettered_at", String.valueOf(letter.deadLetteredAt()));
        out.put("body", new String(letter.body(), StandardCharsets.UTF_8));
        return out;
    }

    /** Stops serving and stops the bus. */
    @Override
    public void close() {
        http.close();
        bus.stop();
    }
}
