package dev.eventbus.testkit.contract;

import dev.eventbus.core.Event;
import dev.eventbus.core.RoutingKey;

/**
 * An event of the contract suite that declares its own routing key, {@code contract.status_reported}, instead of the
 * convention's: {@code status.reported}, version 1, on the wire.
 *
 * @param taskId the task
 * @param status what it reports
 */
@RoutingKey(StatusReported.ROUTING_KEY)
public record StatusReported(String taskId, String status) implements Event {

    /** The key it declares. */
    public static final String ROUTING_KEY = "contract.status_reported";
}
