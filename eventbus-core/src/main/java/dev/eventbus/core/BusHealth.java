package dev.eventbus.core;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A bus's health: each connection and each handler's consumer. The bus is healthy when every connection is up and
 * every handler consumes (or is deliberately paused). Immutable.
 *
 * <pre>{@code
 * BusHealth health = bus.health();
 * if (!health.healthy()) {
 *     log.warn("event bus unhealthy: {}", health.problems());
 * }
 * }</pre>
 *
 * @param connections the bus's connections (none in memory)
 * @param handlers    one status per handler queue
 */
public record BusHealth(List<ConnectionStatus> connections, List<HandlerStatus> handlers) {

    /**
     * One connection of a bus.
     *
     * @param name   the connection's role and name, e.g. {@code alice.petisco-publisher}
     * @param up     whether it is open
     * @param detail why it is not, or null
     */
    public record ConnectionStatus(String name, boolean up, @Nullable String detail) {
        public ConnectionStatus {
            Objects.requireNonNull(name, "name");
        }
    }

    public BusHealth {
        connections = List.copyOf(connections);
        handlers = List.copyOf(handlers);
    }

    /** Whether every connection is up and every handler consumes or is paused. */
    public boolean healthy() {
        return connections.stream().allMatch(ConnectionStatus::up) && handlers.stream().allMatch(HandlerStatus::healthy);
    }

    /** What is wrong, one line per connection or handler that is not healthy; empty when healthy. */
    public List<String> problems() {
        java.util.ArrayList<String> problems = new java.util.ArrayList<>();
        for (ConnectionStatus connection : connections) {
            if (!connection.up()) {
                problems.add("connection " + connection.name() + " is down: " + connection.detail());
            }
        }
        for (HandlerStatus handler : handlers) {
            if (!handler.healthy()) {
                problems.add("handler " + handler.handler() + " on " + handler.queue() + " is " + handler.state()
                        + (handler.detail() == null ? "" : ": " + handler.detail()));
            }
        }
        return problems;
    }
}
