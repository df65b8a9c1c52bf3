package dev.eventbus.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import dev.eventbus.rabbitmq.QueueMigration;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eventbus migrate}: moves a service's queues to the arguments its plan has now (a new retry delay, quorum
 * instead of classic, a new TTL) with {@link QueueMigration}, messages included.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Move the queues of a service (or of one --handler) to the arguments its plan has now: a new "
                + "retry delay, classic to quorum, a new TTL. Messages move through a parking queue "
                + "migrating.<queue>, each removed only once the broker confirmed its copy; queues are deleted only when "
                + "empty. Stop the service (or pause the handler) first. Safe to run again after a failure: it resumes.",
                "With --dry-run: list the queues whose arguments differ (through the management API), and change nothing."})
final class MigrateCommand implements Callable<Integer> {

    @Mixin
    Output output;
    @Mixin
    PlanOptions plan;
    @Mixin
    ConnectionOptions connection;
    @Mixin
    ManagementOptions managementOptions;

    @Option(names = "--handler", paramLabel = "<name>", description = "Only the queues of this handler.")
    @Nullable String handler;

    @Option(names = "--dry-run", description = "Show what would be migrated; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws IOException {
        try (RabbitMqEventBus bus = plan.bus(connection.settings())) {
            Topology topology = bus.admin().topology();
            Predicate<Topology.Queue> which = queue -> handler == null || queue.name().endsWith("." + handler);
            if (topology.queues().stream().noneMatch(which)) {
                throw new CommandFailure(ExitCodes.CONFIGURATION, "the plan of " + bus.convention().mainExchange()
                        + " has no queue of handler " + handler + ": its handlers are "
                        + bus.subscriptions().stream().map(s -> s.handlerName()).distinct().toList());
            }
            return dryRun ? dryRun(bus, topology, which) : migrate(topology, which);
        }
    }

    private int migrate(Topology topology, Predicate<Topology.Queue> which) throws IOException {
        try (Connection amqp = connection.open("migrate")) {
            MovingProgress progress = new MovingProgress();
            List<QueueMigration.Result> results;
            try {
                results = QueueMigration.on(amqp).listener(progress).migrate(topology, which);
            } finally {
                progress.close();
            }
            StringBuilder text = new StringBuilder();
            for (QueueMigration.Result result : results) {
                text.append(String.format("%-9s %s%s%n", result.outcome().name().toLowerCase(Locale.ROOT), result.queue(),
                        result.outcome() == QueueMigration.Outcome.MIGRATED ? " (" + result.moved() + " messages moved)" : ""));
            }
            long migrated = results.stream().filter(r -> r.outcome() == QueueMigration.Outcome.MIGRATED).count();
            text.append(migrated).append(migrated == 1 ? " queue" : " queues").append(" migrated on ").append(connection.describe());
            output.text(text.toString());
            ObjectNode document = output.object().put("broker", connection.describe()).put("migrated", migrated);
            ArrayNode array = document.putArray("queues");
            results.forEach(r -> array.addObject().put("name", r.queue()).put("outcome", r.outcome().name().toLowerCase(Locale.ROOT))
                    .put("moved", r.moved()));
            output.json(document);
            return ExitCodes.OK;
        }
    }

    private int dryRun(RabbitMqEventBus bus, Topology topology, Predicate<Topology.Queue> which) {
        ManagementClient management = managementOptions.client(connection);
        TopologyDrift drift = TopologyDrift.between(bus.convention(), topology, management.exchanges(), management.queues(),
                management.bindings());
        List<String> names = topology.queues().stream().filter(q -> !q.shared()).filter(which).map(Topology.Queue::name).toList();
        List<TopologyDrift.Finding> differing = drift.findings().stream()
                .filter(f -> f.kind() == TopologyDrift.Kind.DIFFERS && f.object().equals("queue") && names.contains(f.name())).toList();
        StringBuilder text = new StringBuilder();
        differing.forEach(f -> {
            text.append("would migrate ").append(f.name()).append('\n');
            f.differences().forEach(d -> text.append("    ").append(d.describe()).append('\n'));
        });
        text.append(differing.size()).append(differing.size() == 1 ? " queue" : " queues").append(" to migrate");
        output.text(text.toString());
        ObjectNode document = output.object().put("dryRun", true);
        ArrayNode array = document.putArray("queues");
        differing.forEach(f -> array.addObject().put("name", f.name()));
        output.json(document);
        return ExitCodes.OK;
    }

    /** One progress display per leg of each queue's move. */
    private final class MovingProgress implements QueueMigration.Listener {
        private @Nullable Progress current;
        private @Nullable String from;

        @Override
        public void moved(String from, String to, long moved, long total) {
            if (!from.equals(this.from)) {
                close();
                this.from = from;
                output.note("moving " + from + " -> " + to);
                current = output.json ? null : output.progress("moved", total);
            }
            if (current != null) {
                current.update(moved, total);
            }
        }

        void close() {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
