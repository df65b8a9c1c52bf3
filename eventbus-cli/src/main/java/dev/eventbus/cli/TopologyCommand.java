package dev.eventbus.cli;

import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.TopologyRenderer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eventbus topology}: the plan of a service as a table, a Mermaid flowchart, JSON or an AsyncAPI 3 document. */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = "Show the exchanges, queues and bindings a service's subscriptions need (no broker needed).")
final class TopologyCommand implements Callable<Integer> {

    /** What to print. */
    enum Format {
        /** An aligned table of exchanges, queues (with arguments) and bindings. */
        table,
        /** A Mermaid flowchart, for Markdown. */
        mermaid,
        /** The topology as JSON. */
        json,
        /** An AsyncAPI 3.0.0 document with the JSON Schema of each message. */
        asyncapi
    }

    @Mixin
    Output output;
    @Mixin
    PlanOptions plan;
    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-f", "--format"}, paramLabel = "<format>",
            description = "${COMPLETION-CANDIDATES}. Default: table (json with --json).")
    Format format = Format.table;

    @Option(names = "--api-version", paramLabel = "<version>",
            description = "info.version of the AsyncAPI document. Default: ${DEFAULT-VALUE}.")
    String apiVersion = "1.0.0";

    @Override
    public Integer call() {
        RabbitMqConnectionSettings settings = connection.settings();
        try (RabbitMqEventBus bus = plan.bus(settings)) {
            Topology topology = bus.admin().topology();
            Format chosen = output.json && format == Format.table ? Format.json : format;
            String text = switch (chosen) {
                case table -> TopologyRenderer.table(topology);
                case mermaid -> TopologyRenderer.mermaid(topology);
                case json -> TopologyRenderer.json(topology);
                case asyncapi -> AsyncApiDocument.text(AsyncApiDocument.of(bus, settings, apiVersion));
            };
            output.out().print(text);
            output.out().flush();
        }
        return ExitCodes.OK;
    }
}
