package dev.eventbus.docs;

import dev.eventbus.core.Convention;
import dev.eventbus.core.Event;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.TopologyRenderer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Mermaid diagrams of docs/topology.md are the output of {@link TopologyRenderer#mermaid} (what
 * {@code eventbus topology --format mermaid} prints) for the plans named above them:
 * <pre>
 * &lt;!-- topology: one-handler --&gt;
 * ```mermaid
 * ...
 * ```
 * </pre>
 * A block that differs from the generator's output fails this test; with {@value DocsSnippetsTest#UPDATE} set, the test
 * rewrites the blocks instead ({@value DocsSnippetsTest#FIX}).
 */
class TopologyDiagramsTest {

    private static final Pattern MARKER = Pattern.compile("^<!--\\s*topology:\\s*([a-z0-9-]+)\\s*-->\\s*$");

    /** The event of the docs' examples: {@code user.created}, version 1. */
    record UserCreated(String userId, String name) implements Event {
    }

    /** An event of the endpoint queue's diagram: {@code task.created}, version 1. */
    record TaskCreated(String taskId) implements Event {
    }

    /** An event of the endpoint queue's diagram: {@code task.completed}, version 1. */
    record TaskCompleted(String taskId) implements Event {
    }

    /** The plans the diagrams show, by the name their marker gives. */
    static final Map<String, Topology> PLANS = Map.of(
            "one-handler", plan(QueueType.CLASSIC),
            "one-handler-quorum", plan(QueueType.QUORUM),
            "endpoint-queue", Topology.plan(Convention.of("alice", "petisco"),
                    List.of(Subscription.of("task_board", (dev.eventbus.core.Message<Event> message) -> { },
                            TaskCreated.class, TaskCompleted.class).endpointQueue()),
                    new Topology.Options(QueueType.CLASSIC, 10, 5000, RetryPolicy.DEFAULT, false)));

    private static Topology plan(QueueType type) {
        return Topology.plan(Convention.of("alice", "petisco"),
                List.of(Subscription.of(UserCreated.class, "send_mail_handler", message -> { })),
                new Topology.Options(type, 10, 5000, RetryPolicy.DEFAULT, false));
    }

    private final Path root = Path.of(System.getProperty("eventbus.root", "..")).toAbsolutePath().normalize();

    @Test
    void theDiagramsOfTheTopologyPageAreTheGeneratorsOutput() throws IOException {
        Path page = root.resolve("docs/topology.md");
        List<String> lines = new ArrayList<>(Files.readAllLines(page, StandardCharsets.UTF_8));
        StringBuilder differences = new StringBuilder();
        int diagrams = 0;
        for (int i = 0; i + 1 < lines.size(); i++) {
            Matcher marker = MARKER.matcher(lines.get(i));
            if (!marker.matches()) {
                continue;
            }
            Topology plan = PLANS.get(marker.group(1));
            if (plan == null || !lines.get(i + 1).equals("```mermaid")) {
                fail("docs/topology.md:" + (i + 1) + ": a topology marker must name one of " + PLANS.keySet()
                        + " and stand right above a ```mermaid block");
            }
            int close = i + 2;
            while (close < lines.size() && !lines.get(close).equals("```")) {
                close++;
            }
            List<String> doc = List.copyOf(lines.subList(i + 2, close));
            List<String> generated = TopologyRenderer.mermaid(plan).lines().toList();
            diagrams++;
            if (!doc.equals(generated)) {
                if (Boolean.getBoolean(DocsSnippetsTest.UPDATE)) {
                    lines.subList(i + 2, close).clear();
                    lines.addAll(i + 2, generated);
                } else {
                    differences.append("\ndocs/topology.md:").append(i + 2).append(" differs from the generator's diagram of ")
                            .append(marker.group(1)).append(" (- doc, + generator):\n").append(Snippets.diff(doc, generated));
                }
            }
        }
        assertTrue(diagrams >= 1, "docs/topology.md has no <!-- topology: name --> diagrams");
        if (Boolean.getBoolean(DocsSnippetsTest.UPDATE)) {
            Files.writeString(page, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } else if (differences.length() > 0) {
            fail("diagrams differ from TopologyRenderer.mermaid:" + differences + "\nIf the generator is right, rewrite them: "
                    + DocsSnippetsTest.FIX);
        }
    }
}
