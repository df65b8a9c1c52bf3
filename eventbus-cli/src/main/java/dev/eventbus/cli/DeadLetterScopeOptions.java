package dev.eventbus.cli;

import dev.eventbus.core.DeadLetterFilter;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Which handler queues a {@code dead-letters} command looks at: one {@code --queue} (any service's), the queues of one
 * {@code --handler} of the plan, or, by default, every handler queue of the plan. Mixed into every {@code dead-letters}
 * command.
 */
final class DeadLetterScopeOptions {

    @Option(names = {"-q", "--queue"}, paramLabel = "<handler-queue>",
            description = "Only the dead letters of this handler queue (any service's), e.g. "
                    + "alice.petisco.1.event.user_created.send_mail_handler. Without --plan or --organization/--service, "
                    + "the service is the queue's (its first two parts). Default: every handler queue of the plan.")
    @Nullable String queue;

    @Option(names = {"-H", "--handler"}, paramLabel = "<name>",
            description = "Only the dead letters of the plan's handler of this name, e.g. send_mail_handler.")
    @Nullable String handler;

    /** A filter builder with this scope. */
    DeadLetterFilter.Builder builder() {
        DeadLetterFilter.Builder builder = DeadLetterFilter.builder();
        if (queue != null) {
            builder.queue(queue);
        }
        if (handler != null) {
            builder.handler(handler);
        }
        return builder;
    }

    /**
     * The service's bus (built, never started; its desk opens the connection on first use). Without a plan and without
     * {@code --organization}/{@code --service}, a {@code --queue} names the service: its first two parts.
     *
     * @throws dev.eventbus.core.ConfigurationException if no service is named at all
     */
    RabbitMqEventBus bus(PlanOptions plan, ConnectionOptions connection) {
        boolean named = plan.planClass != null || !plan.classpath.isEmpty() || plan.organization != null || plan.service != null;
        if (!named && queue != null) {
            String[] parts = queue.split("\\.");
            if (parts.length < 3) {
                throw new CommandFailure(ExitCodes.CONFIGURATION, "'" + queue + "' is not a handler queue "
                        + "(<organization>.<service>.<version>.<kind>.<message>.<handler>): give the handler queue, or "
                        + "--organization and --service");
            }
            plan.organization = parts[0];
            plan.service = parts[1];
        }
        return plan.bus(connection.settings());
    }

    /** The scope in words, e.g. {@code handler send_mail_handler}. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (queue != null) {
            parts.add("queue " + queue);
        }
        if (handler != null) {
            parts.add("handler " + handler);
        }
        return parts.isEmpty() ? "every handler queue" : String.join(", ", parts);
    }
}
