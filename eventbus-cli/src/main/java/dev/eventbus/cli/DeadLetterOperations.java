package dev.eventbus.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.core.DeadLetterFilter;
import dev.eventbus.core.DeadLetterProgress;
import dev.eventbus.core.DeadLetterResult;
import dev.eventbus.core.DeadLetters;
import dev.eventbus.core.EventBusException;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code dead-letters} commands that act on letters: {@code replay}, {@code move}, {@code discard} (one letter after
 * another, with a progress display, through {@link DeadLetters}) and {@code purge} (whole queues at once). Each asks
 * first ({@link Confirmation}). An operation that stops after acting on some letters (the broker refused a copy, the
 * connection was lost) ends with {@link ExitCodes#FINDINGS} and says how many were done: the rest are still dead
 * letters, and running it again goes on.
 */
final class DeadLetterOperations {

    private DeadLetterOperations() {
    }

    /** What replay, move and discard share: options, confirmation, progress, result and a partial end. */
    abstract static class LetterOperation implements Callable<Integer> {
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

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation (required when stdin is not a terminal).")
        boolean yes;

        @Option(names = "--confirm-window", paramLabel = "<n>",
                description = "Copies in flight at once: up to n are published, then their letters removed once the "
                        + "broker confirmed them all. Faster; a crash midway may leave up to n duplicates (never a loss). "
                        + "Default: 1.")
        int confirmWindow = 1;

        /** The verb, e.g. {@code replay}. */
        abstract String verb();

        /** The past participle, e.g. {@code replayed}. */
        abstract String done();

        /** Where the letters go, e.g. {@code to their handler queues}; empty for a discard. */
        abstract String destination();

        /** Runs the operation on the desk. */
        abstract DeadLetterResult apply(DeadLetters desk, DeadLetterFilter filter, Consumer<DeadLetterProgress> listener);

        @Override
        public final Integer call() {
            DeadLetterFilter filter = criteria.filter(scope, Long.MAX_VALUE);
            try (RabbitMqEventBus bus = scope.bus(plan, connection)) {
                if (confirmWindow < 1) {
                    throw new CommandFailure(ExitCodes.USAGE, "--confirm-window is 1 or more copies in flight, not "
                            + confirmWindow);
                }
                DeadLetters desk = bus.admin().deadLetters().confirmWindow(confirmWindow);
                long inScope = desk.counts(filter).values().stream().mapToLong(Long::longValue).sum();
                String described = criteria.describe();
                String what = "the dead letters of " + scope.describe() + " of " + bus.convention().mainExchange()
                        + (described.isEmpty() ? " (every one)" : " matching " + described);
                if (inScope == 0) {
                    return report(bus, what, new DeadLetterResult(0, 0, java.time.Duration.ZERO), null);
                }
                Confirmation.confirm(yes, verb() + " " + what + (destination().isEmpty() ? "" : " " + destination())
                        + " (" + inScope + " letters in scope) on " + connection.describe());
                DeadLetterProgress[] last = {null};
                Progress progress = output.json ? null : output.progress("letters examined", inScope);
                DeadLetterResult result;
                try {
                    result = apply(desk, filter, step -> {
                        last[0] = step;
                        if (progress != null) {
                            progress.update(step.examined(), step.total(), step.processed() + " " + done());
                        }
                    });
                    if (progress != null) { // the listener hears of letters acted on: the last ones read may not match
                        progress.update(result.examined(), inScope, result.processed() + " " + done());
                    }
                } catch (EventBusException failure) {
                    if (last[0] == null || last[0].processed() == 0) {
                        throw failure;
                    }
                    DeadLetterProgress at = last[0];
                    return report(bus, what, new DeadLetterResult(at.examined(), at.processed(), at.elapsed()), failure);
                } finally {
                    if (progress != null) {
                        progress.close();
                    }
                }
                return report(bus, what, result, null);
            }
        }

        private int report(RabbitMqEventBus bus, String what, DeadLetterResult result, @Nullable EventBusException failure) {
            String summary = String.format(Locale.ROOT, "%s %d %s (%d examined) in %.1f s, %.0f/s", done(),
                    result.processed(), result.processed() == 1 ? "letter" : "letters", result.examined(),
                    result.elapsed().toMillis() / 1000.0, result.perSecond());
            if (failure == null) {
                output.text(summary + ": " + what + (destination().isEmpty() ? "" : " " + destination()));
            } else {
                output.text(summary + ", then stopped: " + failure.getMessage());
                output.note("eventbus dead-letters " + verb() + ": stopped after " + result.processed() + " letter(s); "
                        + "the others are still dead letters: run it again to go on");
            }
            ObjectNode document = output.object().put("operation", verb()).put("complete", failure == null)
                    .put("examined", result.examined()).put("processed", result.processed())
                    .put("elapsedMillis", result.elapsed().toMillis())
                    .put("perSecond", Math.round(result.perSecond()));
            if (failure != null) {
                document.put("error", failure.getMessage());
            }
            output.json(document);
            return failure == null ? ExitCodes.OK : ExitCodes.FINDINGS;
        }
    }

    /** Whether replayed letters start again from their first attempt. */
    static final class AttemptsChoice {
        @Option(names = "--reset-attempts", required = true,
                description = "The copies are first attempts: the handler gets its whole retry policy again (default).")
        boolean reset;

        @Option(names = "--keep-attempts", required = true,
                description = "The copies keep their attempt count: one more run, and a failure dead-letters them again.")
        boolean keep;
    }

    /** {@code dead-letters replay}. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Send the matching dead letters back to the handler queue each failed in (that queue only), "
                    + "each removed from the dead letters once the broker confirmed its copy.",
                    "Reads at most the letters in scope at the start: letters that fail again are not replayed twice.",
                    "Exit code 1 when it stopped partway (the rest are still dead letters)."})
    static final class Replay extends LetterOperation {
        @ArgGroup(exclusive = true)
        @Nullable AttemptsChoice attempts;

        @Override
        String verb() {
            return "replay";
        }

        @Override
        String done() {
            return "replayed";
        }

        @Override
        String destination() {
            return "to their handler queues" + (attempts != null && attempts.keep ? ", keeping their attempts" : "");
        }

        @Override
        DeadLetterResult apply(DeadLetters desk, DeadLetterFilter filter, Consumer<DeadLetterProgress> listener) {
            return desk.replay(filter, attempts != null && attempts.keep ? DeadLetters.Attempts.KEEP
                    : DeadLetters.Attempts.RESET, listener);
        }
    }

    /** {@code dead-letters move --to <queue>}. */
    @Command(name = "move", mixinStandardHelpOptions = true,
            description = {"Move the matching dead letters to another handler queue (any service's) as first attempts, "
                    + "each removed from the dead letters once the broker confirmed its copy.",
                    "Exit code 1 when it stopped partway (the rest are still dead letters)."})
    static final class Move extends LetterOperation {
        @Option(names = {"-t", "--to"}, required = true, paramLabel = "<handler-queue>",
                description = "The handler queue to move them to; it must exist.")
        String target;

        @Override
        String verb() {
            return "move";
        }

        @Override
        String done() {
            return "moved";
        }

        @Override
        String destination() {
            return "to " + target;
        }

        @Override
        DeadLetterResult apply(DeadLetters desk, DeadLetterFilter filter, Consumer<DeadLetterProgress> listener) {
            return desk.move(filter, target, listener);
        }
    }

    /** {@code dead-letters discard}. */
    @Command(name = "discard", mixinStandardHelpOptions = true,
            description = {"Delete the matching dead letters for good, one by one (see purge for whole queues).",
                    "Exit code 1 when it stopped partway."})
    static final class Discard extends LetterOperation {
        @Override
        String verb() {
            return "discard";
        }

        @Override
        String done() {
            return "discarded";
        }

        @Override
        String destination() {
            return "";
        }

        @Override
        DeadLetterResult apply(DeadLetters desk, DeadLetterFilter filter, Consumer<DeadLetterProgress> listener) {
            return desk.discard(filter, listener);
        }
    }

    /** {@code dead-letters purge}: every letter of the queues in scope, at once. */
    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = "Delete every dead letter of the handler queues in scope (--queue, --handler, or all of the "
                    + "plan's) at once. Letters another desk holds at that moment stay.")
    static final class Purge implements Callable<Integer> {
        @Mixin
        Output output;
        @Mixin
        PlanOptions plan;
        @Mixin
        ConnectionOptions connection;
        @Mixin
        DeadLetterScopeOptions scope;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation (required when stdin is not a terminal).")
        boolean yes;

        @Override
        public Integer call() {
            try (RabbitMqEventBus bus = scope.bus(plan, connection)) {
                DeadLetters desk = bus.admin().deadLetters();
                Map<String, Long> counts = desk.counts(scope.builder().build());
                long inScope = counts.values().stream().mapToLong(Long::longValue).sum();
                if (inScope > 0) {
                    Confirmation.confirm(yes, "purge " + inScope + " dead letters of " + scope.describe() + " of "
                            + bus.convention().mainExchange() + " (" + counts.size() + " queue(s)) on " + connection.describe());
                }
                Progress progress = output.json || counts.size() < 2 ? null : output.progress("queues purged", counts.size());
                ObjectNode document = output.object();
                ArrayNode queues = document.putArray("queues");
                StringBuilder text = new StringBuilder();
                long purged = 0;
                int done = 0;
                try {
                    for (String queue : counts.keySet()) {
                        long count = counts.get(queue) == 0 ? 0 : desk.purge(queue);
                        purged += count;
                        text.append(String.format("purged %8d  %s%n", count, queue));
                        queues.addObject().put("queue", queue).put("purged", count);
                        if (progress != null) {
                            progress.update(++done, counts.size(), purged + " letters");
                        }
                    }
                } finally {
                    if (progress != null) {
                        progress.close();
                    }
                }
                text.append(purged).append(purged == 1 ? " dead letter" : " dead letters").append(" purged of ")
                        .append(scope.describe()).append(" of ").append(bus.convention().mainExchange());
                output.text(text.toString());
                document.put("purged", purged);
                output.json(document);
                return ExitCodes.OK;
            }
        }
    }
}
