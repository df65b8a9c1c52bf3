package dev.eventbus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.TopologyRenderer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code eventbus configure}: declares a service's topology, as {@code bus.admin().configure()} does. */
@Command(name = "configure", mixinStandardHelpOptions = true,
        description = "Declare the exchanges, queues and bindings of a service on the broker (idempotent).")
final class ConfigureCommand implements Callable<Integer> {

    @Mixin
    Output output;
    @Mixin
    PlanOptions plan;
    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() {
        try (RabbitMqEventBus bus = plan.bus(connection.settings())) {
            Topology topology = bus.admin().topology();
            bus.admin().configure();
            output.text("declared on " + connection.describe() + ": " + topology.exchanges().size() + " exchanges, "
                    + topology.queues().size() + " queues, " + topology.bindings().size() + " bindings\n"
                    + TopologyRenderer.table(topology));
            ObjectNode document = output.object().put("broker", connection.describe());
            document.set("declared", TopologyRenderer.jsonTree(topology));
            output.json(document);
        }
        return ExitCodes.OK;
    }
}
