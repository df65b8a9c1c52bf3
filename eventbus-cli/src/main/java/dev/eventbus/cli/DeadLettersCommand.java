package dev.eventbus.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterFilter;
import dev.eventbus.core.DeadLetters;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code eventbus dead-letters}: the dead-letter desk ({@link DeadLetters}, docs/dead-letters.md) from a terminal. This
 * class is the group and its reading commands ({@code summary}, {@code list}, {@code show}); the commands that act on
 * letters are in {@link DeadLetterOperations}.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = {"See and mend the dead letters of a service's handlers: count them (summary), list them with "
                + "filters, show one, replay them to their handler, move them to another handler queue, discard or "
                + "purge them. Letters are removed only once their copy is confirmed by the broker.",
                "Replay, move, discard and purge ask first (--yes skips the question; without a terminal it is required)."},
        subcommands = {DeadLettersCommand.Summary.class, DeadLettersCommand.ListLetters.class, DeadLettersCommand.Show.class,
                DeadLetterOperations.Replay.class, DeadLetterOperations.Move.class, DeadLetterOperations.Discard.class,
                DeadLetterOperations.Purge.class})
final class DeadLettersCommand implements Runnable {

    /** Letters {@code list} shows without {@code --limit}. */
    static final long LIST_DEFAULT_LIMIT = 100;

    @Spec
    CommandSpec spec;

    /** Without a subcommand: the help. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code dead-letters summary}: how many letters wait in each handler queue in scope, without reading them. */
    @Command(name = "summary", mixinStandardHelpOptions = true,
            description = "How many dead letters wait in each handler queue of the service (or --queue, --handler).")
    static final class Summary implements Callable<Integer> {
        @Mixin
        Output output;
        @Mixin
        PlanOptions plan;
        @Mixin
        ConnectionOptions connection;
        @Mixin
        DeadLetterScopeOptions scope;

        @Override
        public Integer call() {
            try (RabbitMqEventBus bus = scope.bus(plan, connection)) {
                Map<String, Long> counts = bus.admin().deadLetters().counts(scope.builder().build());
                long total = counts.values().stream().mapToLong(Long::longValue).sum();
                int width = Math.max(40, counts.keySet().stream().mapToInt(String::length).max().orElse(0));
                StringBuilder text = new StringBuilder("dead letters of " + bus.convention().mainExchange() + " on "
                        + connection.describe() + "\n");
                text.append(String.format("%-" + width + "s %12s%n", "HANDLER QUEUE", "DEAD LETTERS"));
                counts.forEach((queue, count) -> text.append(String.format("%-" + width + "s %12d%n", queue, count)));
                text.append(String.format("%-" + width + "s %12d", "total", total));
                output.text(text.toString());
                ObjectNode document = output.object().put("broker", connection.describe()).put("total", total);
                ArrayNode queues = document.putArray("queues");
                counts.forEach((queue, count) -> queues.addObject().put("queue", queue).put("deadLetters", count));
                output.json(document);
                return ExitCodes.OK;
            }
        }
    }

    /** {@code dead-letters list}: the matching letters, a line each (or JSON), left in their queues. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the matching dead letters, oldest first per queue, leaving them where they are.",
                    "Shows at most " + LIST_DEFAULT_LIMIT + " without --limit; page with --skip."})
    static final class ListLetters implements Callable<Integer> {
        @Mixin
        Output output;
        @Mixin
        PlanOptions plan;
        @Mixin
        ConnectionOptions connection;
        @Mixin
        DeadLetterScopeOptions scope;
        @Mixin
        DeadLetterFilterOptions criteria;

        @Override
        public Integer call() {
            DeadLetterFilter filter = criteria.filter(scope, LIST_DEFAULT_LIMIT);
            // one letter more than asked tells whether another page follows
            DeadLetterFilter probe = filter.limit() == Long.MAX_VALUE ? filter : filter.toBuilder().limit(filter.limit() + 1).build();
            try (RabbitMqEventBus bus = scope.bus(plan, connection)) {
                List<DeadLetter> letters = bus.admin().deadLetters().list(probe);
                boolean more = letters.size() > filter.limit();
                if (more) {
                    letters = letters.subList(0, (int) filter.limit());
                }
                String described = criteria.describe();
                output.text((letters.isEmpty() ? "" : DeadLetterText.table(letters)) + letters.size()
                        + (letters.size() == 1 ? " dead letter" : " dead letters") + " of " + scope.describe() + " of "
                        + bus.convention().mainExchange() + (described.isEmpty() ? "" : " matching " + described)
                        + " on " + connection.describe()
                        + (more ? "\nmore letters match: --skip " + (filter.skip() + letters.size()) + " for the next page" : ""));
                ObjectNode document = output.object().put("count", letters.size()).put("more", more);
                ArrayNode array = document.putArray("letters");
                letters.forEach(letter -> array.add(DeadLetterText.json(letter, false)));
                output.json(document);
                return ExitCodes.OK;
            }
        }
    }

    /** {@code dead-letters show <letter-id>}: one letter with every header and its body. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Show one dead letter by its id (as `list` shows it): every field, every header and the body.",
                    "Exit code 1 when no letter has that id."})
    static final class Show implements Callable<Integer> {
        @Mixin
        Output output;
        @Mixin
        PlanOptions plan;
        @Mixin
        ConnectionOptions connection;
        @Mixin
        DeadLetterScopeOptions scope;

        @Parameters(paramLabel = "<letter-id>", description = "The letter's id: <message id>/<tag>.")
        String letterId;

        @Override
        public Integer call() {
            try (RabbitMqEventBus bus = scope.bus(plan, connection)) {
                Optional<DeadLetter> letter = bus.admin().deadLetters()
                        .list(scope.builder().letter(letterId).limit(1).build()).stream().findFirst();
                if (letter.isEmpty()) {
                    output.note("no dead letter " + letterId + " in " + scope.describe() + " of "
                            + bus.convention().mainExchange() + ": `eventbus dead-letters list` shows the ids (another "
                            + "desk may hold it for a moment, or it was replayed, moved or discarded)");
                    output.json(output.object().putNull("letter"));
                    return ExitCodes.FINDINGS;
                }
                output.text(DeadLetterText.detail(letter.get()));
                ObjectNode document = output.object();
                document.set("letter", DeadLetterText.json(letter.get(), true));
                output.json(document);
                return ExitCodes.OK;
            }
        }
    }
}
