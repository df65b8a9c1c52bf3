package dev.eventbus.spring.boot;

import dev.eventbus.core.BusHealth;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.HandlerStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Actuator health from {@link EventBus#health()}: UP when every connection is up and every handler consumes (or is
 * deliberately paused), else DOWN with the problems, one line each, as the detail {@code problems}. The details list
 * the connections and the handlers either way. Registered as the {@code eventbus} contributor
 * ({@code /actuator/health/eventbus}; {@code management.health.eventbus.enabled=false} turns it off).
 *
 * <p>Cheap: it reads the bus's state without a round trip to the broker (the first check may open the publishing
 * connection). Thread-safe.
 */
public final class EventBusHealthIndicator extends AbstractHealthIndicator {

    private final EventBus bus;

    /** A health indicator of this bus. */
    public EventBusHealthIndicator(EventBus bus) {
        super("Event bus health check failed");
        this.bus = bus;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        BusHealth health = bus.health();
        if (health.healthy()) {
            builder.up();
        } else {
            builder.down().withDetail("problems", health.problems());
        }
        builder.withDetail("connections", health.connections().stream().map(EventBusHealthIndicator::describe).toList());
        builder.withDetail("handlers", health.handlers().stream().map(EventBusHealthIndicator::describe).toList());
    }

    private static Map<String, Object> describe(BusHealth.ConnectionStatus connection) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", connection.name());
        out.put("up", connection.up());
        if (connection.detail() != null) {
            out.put("detail", connection.detail());
        }
        return out;
    }

    private static Map<String, Object> describe(HandlerStatus handler) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("handler", handler.handler());
        out.put("queue", handler.queue());
        out.put("state", handler.state().name());
        if (handler.detail() != null) {
            out.put("detail", handler.detail());
        }
        return out;
    }
}
