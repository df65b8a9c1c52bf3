package dev.eventbus.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code eventbus diff}: the broker's topology against the service's plan, through the management API. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare what the broker has with what a service's plan expects: missing objects, extra ones of "
                + "the service, and arguments that differ (broker value, plan value).",
                "Reads the broker through the management API. Exit code 1 when anything differs."})
final class DiffCommand implements Callable<Integer> {

    @Mixin
    Output output;
    @Mixin
    PlanOptions plan;
    @Mixin
    ConnectionOptions connection;
    @Mixin
    ManagementOptions managementOptions;

    @Override
    public Integer call() {
        try (RabbitMqEventBus bus = plan.bus(connection.settings())) {
            ManagementClient management = managementOptions.client(connection);
            TopologyDrift drift = TopologyDrift.between(bus.convention(), bus.admin().topology(), management.exchanges(),
                    management.queues(), management.bindings());
            StringBuilder text = new StringBuilder();
            text.append(bus.convention().mainExchange()).append(" on ").append(connection.describe()).append(": ");
            if (drift.none()) {
                text.append("the broker has exactly what the plan expects\n");
            } else {
                text.append(drift.findings().size()).append(drift.findings().size() == 1 ? " difference\n" : " differences\n");
                for (TopologyDrift.Finding finding : drift.findings()) {
                    text.append(String.format("  %-8s %-9s %s%n", finding.kind().name().toLowerCase(java.util.Locale.ROOT),
                            finding.object(), finding.name()));
                    finding.differences().forEach(d -> text.append("             ").append(d.describe()).append('\n'));
                }
                text.append("Declare what is missing with `eventbus configure`; move queues to new arguments with "
                        + "`eventbus migrate`.\n");
            }
            output.text(text.toString());
            ObjectNode document = output.object().put("exchange", bus.convention().mainExchange()).put("broker", connection.describe())
                    .put("differences", drift.findings().size());
            ArrayNode findings = document.putArray("findings");
            for (TopologyDrift.Finding finding : drift.findings()) {
                ObjectNode node = findings.addObject().put("kind", finding.kind().name().toLowerCase(java.util.Locale.ROOT))
                        .put("object", finding.object()).put("name", finding.name());
                ArrayNode differences = node.putArray("arguments");
                finding.differences().forEach(d -> differences.addObject().put("name", d.name())
                        .putPOJO("broker", d.broker()).putPOJO("plan", d.planned()));
            }
            output.json(document);
            return drift.none() ? ExitCodes.OK : ExitCodes.FINDINGS;
        }
    }
}
