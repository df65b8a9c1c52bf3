package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code eventbus dead-letters} against the local broker, in this JVM: output, exit codes, filters, JSON, confirmation. */
@RabbitMqTest
class DeadLettersIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static String queue(TestBroker broker, String handler) {
        return broker.organization() + ".cli.1.event.user_created." + handler;
    }

    private static Cli.Run run(TestBroker broker, String subcommand, Class<?> plan, String... rest) {
        List<String> args = new ArrayList<>(List.of("dead-letters"));
        args.addAll(List.of(Cli.args(subcommand, broker.uri(), broker.organization(), plan, rest)));
        return Cli.run(args.toArray(String[]::new));
    }

    private static JsonNode json(Cli.Run run) throws Exception {
        assertTrue(run.out().startsWith("{"), "a JSON document on stdout: " + run);
        return Output.JSON.readTree(run.out());
    }

    private static long deadLetters(TestBroker broker, String queue) throws Exception {
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            return channel.messageCount("dead_letter." + queue);
        }
    }

    /**
     * Dead letters written by a running service whose handlers always fail: one per user (non_retryable, "no mail server
     * for <name>") and one undecodable body; the service is stopped afterwards, so replayed letters wait in the queue.
     */
    private static void deadLetter(TestBroker broker, boolean audit, String... names) throws Exception {
        RabbitMqEventBus service = broker.bus(b -> TestPlans.failing(b, audit).organization(broker.organization()));
        service.admin().configure();
        service.start();
        for (String name : names) {
            service.publish(new TestPlans.UserCreated("u-" + name, name, List.of()));
        }
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.basicPublish(broker.organization() + ".cli", broker.organization() + ".cli.1.event.user_created", null,
                    "{not json".getBytes(StandardCharsets.UTF_8));
        }
        String queue = queue(broker, TestPlans.HANDLER);
        Await.until(names.length + 1 + " dead letters", TIMEOUT, () -> {
            try {
                return deadLetters(broker, queue) == names.length + 1 && (!audit
                        || deadLetters(broker, queue(broker, TestPlans.AUDIT)) == names.length + 1);
            } catch (Exception e) {
                return false;
            }
        });
        service.stop();
    }

    @Test
    void summaryListAndShowReadTheLettersWithEveryFilterAndLeaveThem(TestBroker broker) throws Exception {
        deadLetter(broker, false, "Ann", "Bob", "Cy");
        String queue = queue(broker, TestPlans.HANDLER);

        Cli.Run summary = run(broker, "summary", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.OK, summary.exitCode(), summary.toString());
        assertTrue(summary.out().matches("(?s).*" + queue.replace(".", "\\.") + " +4\ntotal +4\n"), summary.toString());
        assertEquals(4, json(run(broker, "summary", TestPlans.OneHandler.class, "--json")).get("total").asInt());

        Cli.Run list = run(broker, "list", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.OK, list.exitCode(), list.toString());
        assertTrue(list.out().startsWith("LETTER "), list.toString());
        assertTrue(list.out().contains("  non_retryable  ") && list.out().contains("  undecodable  "), list.toString());
        assertTrue(list.out().contains("NonRetryableException: no mail server for Bob"), list.toString());
        assertTrue(list.out().contains("\n4 dead letters of every handler queue of " + broker.organization() + ".cli on "),
                list.toString());

        JsonNode undecodable = json(run(broker, "list", TestPlans.OneHandler.class, "--reason", "undecodable", "--json"));
        assertEquals(1, undecodable.get("count").asInt(), undecodable.toString());
        assertEquals("undecodable", undecodable.get("letters").get(0).get("reason").asText());
        JsonNode ann = json(run(broker, "list", TestPlans.OneHandler.class, "--error-contains", "SERVER FOR ann", "--json"));
        assertEquals(1, ann.get("count").asInt(), ann.toString());
        String annId = ann.get("letters").get(0).get("id").asText();
        String annMessageId = ann.get("letters").get(0).get("messageId").asText();
        JsonNode page = json(run(broker, "list", TestPlans.OneHandler.class, "--name", "user.created", "--message-version",
                "1", "--limit", "2", "--json"));
        assertEquals(2, page.get("count").asInt(), page.toString());
        assertTrue(page.get("more").asBoolean(), "a third user.created letter follows: " + page);
        assertEquals(1, json(run(broker, "list", TestPlans.OneHandler.class, "--skip", "3", "--json")).get("count").asInt());
        assertEquals(0, json(run(broker, "list", TestPlans.OneHandler.class, "--older-than", "1h", "--json")).get("count").asInt());
        assertEquals(4, json(run(broker, "list", TestPlans.OneHandler.class, "--newer-than", "1h", "--after", "2020-01-01",
                "--json")).get("count").asInt());
        assertEquals(0, json(run(broker, "list", TestPlans.OneHandler.class, "--before", "2020-01-01T00:00:00Z", "--json"))
                .get("count").asInt());
        assertEquals(annId, json(run(broker, "list", TestPlans.OneHandler.class, "--message-id", annMessageId, "--json"))
                .get("letters").get(0).get("id").asText());
        assertEquals(1, json(run(broker, "list", TestPlans.OneHandler.class, "--letter", annId, "--handler",
                TestPlans.HANDLER, "--json")).get("count").asInt());
        Cli.Run paged = run(broker, "list", TestPlans.OneHandler.class, "--limit", "3");
        assertTrue(paged.out().endsWith("more letters match: --skip 3 for the next page\n"), paged.toString());

        // a queue alone names its service: no plan needed
        Cli.Run byQueue = Cli.run("dead-letters", "list", "--url", broker.uri(), "--queue", queue, "--json");
        assertEquals(4, json(byQueue).get("count").asInt(), byQueue.toString());

        Cli.Run show = run(broker, "show", TestPlans.OneHandler.class, annId);
        assertEquals(ExitCodes.OK, show.exitCode(), show.toString());
        assertTrue(show.out().startsWith("letter:        " + annId + "\n"), show.toString());
        assertTrue(show.out().contains("  eventbus-dead-letter-reason: non_retryable\n"), show.toString());
        assertTrue(show.out().contains("\"name\" : \"Ann\""), show.toString());
        JsonNode shown = json(run(broker, "show", TestPlans.OneHandler.class, annId, "--json")).get("letter");
        assertEquals("Ann", shown.get("body").get("data").get("attributes").get("name").asText(), shown.toString());
        assertEquals("non_retryable", shown.get("headers").get("eventbus-dead-letter-reason").asText(), shown.toString());

        Cli.Run missing = run(broker, "show", TestPlans.OneHandler.class, "no-such/letter");
        assertEquals(ExitCodes.FINDINGS, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("no dead letter no-such/letter"), missing.toString());

        Cli.Run badFilter = run(broker, "list", TestPlans.OneHandler.class, "--older-than", "soon");
        assertEquals(ExitCodes.USAGE, badFilter.exitCode(), badFilter.toString());
        assertTrue(badFilter.err().contains("'soon' is not a duration"), badFilter.toString());
        Cli.Run unknownHandler = run(broker, "list", TestPlans.OneHandler.class, "--handler", "nobody");
        assertEquals(ExitCodes.CONFIGURATION, unknownHandler.exitCode(), unknownHandler.toString());
        assertEquals(4, deadLetters(broker, queue), "reading leaves every letter in place");
    }

    @Test
    void replayMoveDiscardAndPurgeActOnTheMatchingLettersOnlyWhenConfirmed(TestBroker broker) throws Exception {
        deadLetter(broker, false, "Ann", "Bob", "Cy");
        String queue = queue(broker, TestPlans.HANDLER);

        Cli.Run refused = run(broker, "discard", TestPlans.OneHandler.class, "--reason", "undecodable");
        assertEquals(ExitCodes.USAGE, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("stdin is not a terminal") && refused.err().contains("Add --yes"), refused.toString());
        Cli.Run refusedPurge = run(broker, "purge", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.USAGE, refusedPurge.exitCode(), refusedPurge.toString());
        assertEquals(4, deadLetters(broker, queue), "nothing done without --yes");

        Cli.Run replay = run(broker, "replay", TestPlans.OneHandler.class, "--error-contains", "for ann", "--yes",
                "--progress", "lines");
        assertEquals(ExitCodes.OK, replay.exitCode(), replay.toString());
        assertTrue(replay.out().startsWith("replayed 1 letter (4 examined) in "), replay.toString());
        assertTrue(replay.err().contains("] 4/4 100% letters examined, 1 replayed "), "the progress' last line: " + replay);
        Await.awaitQueueDepth(broker, queue, 1, TIMEOUT);
        assertEquals(3, deadLetters(broker, queue));

        JsonNode kept = json(run(broker, "replay", TestPlans.OneHandler.class, "--error-contains", "for bob",
                "--keep-attempts", "--confirm-window", "8", "--yes", "--json"));
        assertEquals(1, kept.get("processed").asInt(), kept.toString());
        assertTrue(kept.get("complete").asBoolean(), kept.toString());
        Await.awaitQueueDepth(broker, queue, 2, TIMEOUT);
        Map<String, Object> headers;
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            GetResponse reset = channel.basicGet(queue, false);
            assertFalse(reset.getProps().getHeaders().containsKey("eventbus-retry-count"), "reset: a first attempt");
            headers = channel.basicGet(queue, false).getProps().getHeaders();
        }
        assertEquals("1", String.valueOf(headers.get("eventbus-retry-count")), "kept: the attempt made " + headers);
        Cli.Run both = run(broker, "replay", TestPlans.OneHandler.class, "--reset-attempts", "--keep-attempts", "--yes");
        assertEquals(ExitCodes.USAGE, both.exitCode(), both.toString());
        Cli.Run noWindow = run(broker, "replay", TestPlans.OneHandler.class, "--confirm-window", "0", "--yes");
        assertEquals(ExitCodes.USAGE, noWindow.exitCode(), noWindow.toString());

        // declared through the test broker's bus, so that the test's cleanup deletes it
        broker.bus(b -> new TestPlans.TwoHandlers().configure(b).organization(broker.organization())).admin().configure();
        String audit = queue(broker, TestPlans.AUDIT);
        Cli.Run move = run(broker, "move", TestPlans.OneHandler.class, "--name", "user.created", "--to", audit, "--yes");
        assertEquals(ExitCodes.OK, move.exitCode(), move.toString());
        assertTrue(move.out().startsWith("moved 1 letter (2 examined) in "), move.toString());
        assertTrue(move.out().contains("to " + audit), move.toString());
        Await.awaitQueueDepth(broker, audit, 1, TIMEOUT);
        Cli.Run nowhere = run(broker, "move", TestPlans.OneHandler.class, "--to", queue(broker, "nobody"), "--yes");
        assertEquals(ExitCodes.CONFIGURATION, nowhere.exitCode(), nowhere.toString());
        assertTrue(nowhere.err().contains("no such queue"), nowhere.toString());

        JsonNode discarded = json(run(broker, "discard", TestPlans.OneHandler.class, "--reason", "non_retryable",
                "--yes", "--json"));
        assertEquals(0, discarded.get("processed").asInt(), "no non_retryable letter is left: " + discarded);
        assertEquals(1, deadLetters(broker, queue), "the undecodable letter stays");
        Cli.Run purge = run(broker, "purge", TestPlans.OneHandler.class, "--handler", TestPlans.HANDLER, "--yes");
        assertEquals(ExitCodes.OK, purge.exitCode(), purge.toString());
        assertTrue(purge.out().contains("1 dead letter purged of handler " + TestPlans.HANDLER), purge.toString());
        assertEquals(0, deadLetters(broker, queue));
        Cli.Run nothing = run(broker, "discard", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.OK, nothing.exitCode(), "nothing in scope: nothing to confirm " + nothing);
    }

    @Test
    void aReplayThatStopsPartwayExitsWithOneAndSaysHowManyWereDone(TestBroker broker) throws Exception {
        deadLetter(broker, true, "Ann", "Bob");
        JsonNode summary = json(run(broker, "summary", TestPlans.TwoHandlers.class, "--json"));
        String first = summary.get("queues").get(0).get("queue").asText();
        String second = summary.get("queues").get(1).get("queue").asText();
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(second); // its dead letters cannot go back: unroutable
        }

        Cli.Run replay = run(broker, "replay", TestPlans.TwoHandlers.class, "--yes", "--progress", "none");
        assertEquals(ExitCodes.FINDINGS, replay.exitCode(), replay.toString());
        assertTrue(replay.out().startsWith("replayed 3 letters ("), replay.toString());
        assertTrue(replay.out().contains(", then stopped: "), replay.toString());
        assertTrue(replay.err().contains("stopped after 3 letter(s); the others are still dead letters"), replay.toString());
        Await.awaitQueueDepth(broker, first, 3, TIMEOUT);
        assertEquals(0, deadLetters(broker, first));
        assertEquals(3, deadLetters(broker, second), "the second queue's letters stay");
    }
}
