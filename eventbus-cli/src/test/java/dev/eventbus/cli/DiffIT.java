package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.eventbus.testkit.LocalNode;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code eventbus diff} and {@code eventbus migrate --dry-run}, which read the broker through the management API: on the
 * tests' own node with the API ({@link ManagementNode}).
 */
class DiffIT {

    private final LocalNode node = ManagementNode.get();
    private String organization;

    @BeforeEach
    void newOrganization() {
        organization = ManagementNode.organization();
    }

    private String queue() {
        return organization + ".cli.1.event.user_created.send_mail_handler";
    }

    private Cli.Run run(String command, Class<?> plan, String... rest) {
        return Cli.run(Cli.args(command, node.amqpUri(), organization, plan, rest));
    }

    @Test
    void configureDeclaresThePlanAndDiffThenFindsNothing() {
        Cli.Run before = run("diff", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.FINDINGS, before.exitCode(), before.toString());
        assertTrue(before.out().contains("missing  queue     " + queue()), before.toString());
        assertTrue(before.out().contains("missing  exchange  " + organization + ".cli"), before.toString());

        Cli.Run configure = run("configure", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.OK, configure.exitCode(), configure.toString());
        assertTrue(configure.out().contains("3 exchanges, 3 queues, 4 bindings"), configure.toString());

        Cli.Run after = run("diff", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.OK, after.exitCode(), after.toString());
        assertTrue(after.out().contains("the broker has exactly what the plan expects"), after.toString());
    }

    @Test
    void diffShowsMissingExtraAndEachDifferingArgument() throws Exception {
        assertEquals(ExitCodes.OK, run("configure", TestPlans.OneHandler.class).exitCode());
        String extra = organization + ".cli.1.event.user_created.old_handler";
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(node.amqpUri());
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(extra, true, false, false, Map.of());
            channel.queueBind(extra, organization + ".cli", "old.key");
        }

        Cli.Run run = run("diff", TestPlans.OneHandlerQuorum.class);
        assertEquals(ExitCodes.FINDINGS, run.exitCode(), run.toString());
        assertTrue(run.out().contains("differs  queue     retry." + queue()), run.toString());
        assertTrue(run.out().contains("x-queue-type: broker classic, plan quorum"), run.toString());
        assertTrue(run.out().contains("x-message-ttl: broker 5000, plan 10000"), run.toString());
        assertTrue(run.out().contains("x-delivery-limit: broker (none), plan 10"), run.toString());
        assertTrue(run.out().contains("extra    queue     " + extra), run.toString());
        assertTrue(run.out().contains("extra    binding   " + organization + ".cli -> " + extra + " [old.key]"),
                run.toString());

        Cli.Run json = run("diff", TestPlans.OneHandlerQuorum.class, "--json");
        assertEquals(ExitCodes.FINDINGS, json.exitCode(), json.toString());
        JsonNode document = Output.JSON.readTree(json.out());
        JsonNode retryQueue = null;
        for (JsonNode finding : document.get("findings")) {
            if (finding.get("name").asText().equals("retry." + queue())) {
                retryQueue = finding;
            }
        }
        assertNotNull(retryQueue, json.out());
        assertEquals("differs", retryQueue.get("kind").asText());
        boolean ttl = false;
        for (JsonNode argument : retryQueue.get("arguments")) {
            if (argument.get("name").asText().equals("x-message-ttl")) {
                ttl = argument.get("broker").asLong() == 5000 && argument.get("plan").asLong() == 10000;
            }
        }
        assertTrue(ttl, "x-message-ttl broker 5000, plan 10000 in " + retryQueue);
    }

    @Test
    void migrateDryRunListsTheQueuesWhoseArgumentsDifferAndChangesNothing() {
        assertEquals(ExitCodes.OK, run("configure", TestPlans.OneHandler.class).exitCode());
        Cli.Run run = run("migrate", TestPlans.OneHandlerQuorum.class, "--dry-run");
        assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
        assertTrue(run.out().contains("would migrate " + queue() + "\n"), run.toString());
        assertTrue(run.out().contains("would migrate retry." + queue()), run.toString());
        assertTrue(run.out().contains("3 queues to migrate"), run.toString());
        Cli.Run still = run("diff", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.OK, still.exitCode(), "a dry run changes nothing: " + still);
    }

    @Test
    void refusedManagementCredentialsExitWithThreeAndNeverShowThePassword() {
        Cli.Run run = run("diff", TestPlans.OneHandler.class, "--management-password", "wr0ng-pw");
        assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.toString());
        assertTrue(run.err().contains("refused user 'guest'"), run.toString());
        assertFalse(run.toString().contains("wr0ng-pw"), run.toString());
    }
}
