package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code eventbus topology} and the command line's own behaviour (help, usage errors, plans), without a broker. */
class TopologyCommandTest {

    private static final String PLAN = TestPlans.OneHandler.class.getName();
    private static final String QUEUE = "alice.cli.1.event.user_created.send_mail_handler";

    @Test
    void printsThePlanAsATable() {
        Cli.Run run = Cli.run("topology", "--plan", PLAN);
        assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("KIND "), run.toString());
        assertRow(run.out(), "queue", QUEUE, "x-dead-letter-exchange=dead_letter.alice.cli, "
                + "x-dead-letter-routing-key=dead_letter." + QUEUE);
        assertRow(run.out(), "queue", "retry." + QUEUE, "x-dead-letter-exchange=alice.cli, "
                + "x-dead-letter-routing-key=retry." + QUEUE + ", x-message-ttl=5000");
        assertRow(run.out(), "binding", "alice.cli -> " + QUEUE, "key alice.cli.1.event.user_created");
    }

    @Test
    void printsAnEndpointQueueAsOneQueueBoundWithTheKeyOfEachType() {
        String queue = "alice.cli.endpoint.accounts_view";
        Cli.Run run = Cli.run("topology", "--plan", TestPlans.EndpointQueue.class.getName());
        assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
        assertRow(run.out(), "queue", queue, "x-dead-letter-exchange=dead_letter.alice.cli, "
                + "x-dead-letter-routing-key=dead_letter." + queue);
        assertRow(run.out(), "binding", "alice.cli -> " + queue, "key alice.cli.1.event.user_created");
        assertRow(run.out(), "binding", "alice.cli -> " + queue, "key alice.cli.1.event.user_deleted");
        assertRow(run.out(), "binding", "alice.cli -> " + queue, "key retry." + queue);
        assertTrue(!run.out().contains("alice.cli.1.event.user_created.accounts_view"), "no per-type queue: " + run.out());
    }

    /** The table has this row: its three columns, separated by two spaces or more. */
    static void assertRow(String table, String kind, String name, String details) {
        List<String> row = List.of(kind, name, details);
        assertTrue(table.lines().map(line -> List.of(line.split(" {2,}"))).anyMatch(row::equals),
                "no row " + row + " in\n" + table);
    }

    @Test
    void organizationAndServiceOverrideThePlans() {
        Cli.Run run = Cli.run("topology", "--plan", PLAN, "--organization", "bob", "--service", "mailer", "--format", "json");
        assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
        assertTrue(run.out().contains("\"bob.mailer.1.event.user_created.send_mail_handler\""), run.toString());
        assertTrue(!run.out().contains("alice"), run.toString());
    }

    @Test
    void printsThePlanAsJsonAndMermaid() throws Exception {
        Cli.Run json = Cli.run("topology", "--plan", PLAN, "--json");
        assertEquals(ExitCodes.OK, json.exitCode(), json.toString());
        JsonNode tree = Output.JSON.readTree(json.out());
        assertEquals(3, tree.get("exchanges").size(), json.out());
        assertEquals(3, tree.get("queues").size(), json.out());
        assertEquals(5000, tree.get("queues").get(1).get("arguments").get("x-message-ttl").asInt(), json.out());
        assertEquals(4, tree.get("bindings").size(), json.out());

        Cli.Run mermaid = Cli.run("topology", "--plan", PLAN, "--format", "mermaid");
        assertEquals(ExitCodes.OK, mermaid.exitCode(), mermaid.toString());
        assertTrue(mermaid.out().startsWith("flowchart LR\n"), mermaid.out());
        assertTrue(mermaid.out().contains("X1 -- \"alice.cli.1.event.user_created<br/>retry." + QUEUE + "\" --> Q1"), mermaid.out());
        assertTrue(mermaid.out().contains("Q1 --> C1([\"consumer: send_mail_handler\"])"), mermaid.out());
    }

    @Test
    void withoutAPlanNorAServiceSaysWhatToGive() {
        Cli.Run run = Cli.run("topology");
        assertEquals(ExitCodes.CONFIGURATION, run.exitCode(), run.toString());
        assertTrue(run.err().contains("give --plan <class> --classpath <jar>"), run.toString());
    }

    @Test
    void aPlanThatIsNotFoundOrNotAPlanIsAConfigurationError() {
        Cli.Run missing = Cli.run("topology", "--plan", "com.example.Missing");
        assertEquals(ExitCodes.CONFIGURATION, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("plan class com.example.Missing was not found"), missing.toString());

        Cli.Run notAPlan = Cli.run("topology", "--plan", TestPlans.NotAPlan.class.getName());
        assertEquals(ExitCodes.CONFIGURATION, notAPlan.exitCode(), notAPlan.toString());
        assertTrue(notAPlan.err().contains("does not implement dev.eventbus.cli.ServicePlan"), notAPlan.toString());

        Cli.Run noEntry = Cli.run("topology", "--classpath", "does/not/exist.jar", "--plan", PLAN);
        assertEquals(ExitCodes.CONFIGURATION, noEntry.exitCode(), noEntry.toString());
        assertTrue(noEntry.err().contains("classpath entry does/not/exist.jar does not exist"), noEntry.toString());
    }

    @Test
    void aWrongCommandLineExitsWithTheUsageCode() {
        Cli.Run run = Cli.run("topology", "--format", "pdf");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
        assertTrue(run.err().contains("Invalid value for option '--format'"), run.toString());
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        Cli.Run run = Cli.run("--help");
        assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
        for (String command : new String[] {"topology", "configure", "diff", "publish", "tail", "health", "migrate",
                "generate-completion"}) {
            assertTrue(run.out().contains("  " + command + " "), command + " missing from\n" + run.out());
        }
        assertTrue(run.out().contains("Exit codes:"), run.out());
        assertTrue(run.out().contains("  3    broker or management API unreachable"), run.out());
    }

    @Test
    void generatesABashAndZshCompletionScript() {
        Cli.Run run = Cli.run("generate-completion");
        assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
        assertTrue(run.out().contains("complete -F _complete_eventbus"), run.out().lines().limit(5).toList().toString());
        assertTrue(run.out().contains("migrate"), "the script completes subcommands");
    }
}
