package dev.eventbus.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code eventbus health}: whether the broker answers and, with a plan, whether every queue of the service exists and
 * every handler queue has a consumer (the service runs), with the depth of each and the dead letters waiting.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"Check that the broker answers and, for a service (--plan, or --organization and --service), that "
                + "its queues exist and its handler queues have consumers; show messages waiting and dead letters.",
                "Exit code 1 when something is wrong, 3 when the broker cannot be reached."})
final class HealthCommand implements Callable<Integer> {

    @Mixin
    Output output;
    @Mixin
    PlanOptions plan;
    @Mixin
    ConnectionOptions connection;

    /** One queue's state. */
    record QueueHealth(String queue, boolean exists, long messages, long consumers, boolean needsConsumer, String problem) {
    }

    @Override
    public Integer call() throws IOException, TimeoutException {
        try (Connection amqp = connection.open("health")) {
            Object version = amqp.getServerProperties().get("version");
            List<QueueHealth> queues = new ArrayList<>();
            String service = null;
            if (plan.planClass != null || !plan.classpath.isEmpty() || (plan.organization != null && plan.service != null)) {
                try (RabbitMqEventBus bus = plan.bus(connection.settings())) {
                    service = bus.convention().mainExchange();
                    queues = queues(amqp, bus);
                }
            }
            List<String> problems = queues.stream().filter(q -> q.problem() != null).map(q -> q.queue() + ": " + q.problem()).toList();
            StringBuilder text = new StringBuilder("broker " + connection.describe() + ": up, RabbitMQ " + version + "\n");
            if (service != null) {
                text.append(String.format("%-70s %9s %9s%n", "queue of " + service, "messages", "consumers"));
                for (QueueHealth queue : queues) {
                    text.append(String.format("%-70s %9s %9s%s%n", queue.queue(), queue.exists() ? queue.messages() : "-",
                            queue.exists() ? queue.consumers() : "-", queue.problem() != null ? "  " + queue.problem()
                                    : queue.queue().startsWith("dead_letter.") && queue.messages() > 0 ? "  dead letters waiting" : ""));
                }
                text.append(problems.isEmpty() ? "healthy\n" : "unhealthy: " + problems.size() + " problem(s)\n");
            }
            output.text(text.toString());
            ObjectNode document = output.object().put("broker", connection.describe()).put("up", true)
                    .put("rabbitmqVersion", String.valueOf(version)).put("healthy", problems.isEmpty());
            if (service != null) {
                document.put("exchange", service);
                ArrayNode array = document.putArray("queues");
                for (QueueHealth queue : queues) {
                    ObjectNode node = array.addObject().put("name", queue.queue()).put("exists", queue.exists())
                            .put("messages", queue.messages()).put("consumers", queue.consumers())
                            .put("needsConsumer", queue.needsConsumer());
                    if (queue.problem() != null) {
                        node.put("problem", queue.problem());
                    }
                }
            }
            output.json(document);
            return problems.isEmpty() ? ExitCodes.OK : ExitCodes.FINDINGS;
        }
    }

    private static List<QueueHealth> queues(Connection amqp, RabbitMqEventBus bus) throws IOException, TimeoutException {
        Set<String> consumed = new LinkedHashSet<>();
        for (Subscription subscription : bus.subscriptions()) {
            bus.convention().endpoints(subscription).stream().map(Endpoint::queue).forEach(consumed::add);
        }
        Topology topology = bus.admin().topology();
        List<QueueHealth> queues = new ArrayList<>();
        for (Topology.Queue queue : topology.queues()) {
            boolean needsConsumer = consumed.contains(queue.name());
            try (Channel channel = amqp.createChannel()) {
                AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue.name());
                String problem = needsConsumer && ok.getConsumerCount() == 0 ? "no consumer: is the service running?" : null;
                queues.add(new QueueHealth(queue.name(), true, ok.getMessageCount(), ok.getConsumerCount(), needsConsumer, problem));
            } catch (IOException e) {
                queues.add(new QueueHealth(queue.name(), false, 0, 0, needsConsumer, "missing: run eventbus configure"));
            }
        }
        return queues;
    }
}
