package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command against the local broker, in this JVM: output and exit code. */
@RabbitMqTest
class CliIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static String queue(TestBroker broker) {
        return broker.organization() + ".cli.1.event.user_created.send_mail_handler";
    }

    private static Cli.Run run(TestBroker broker, String command, Class<?> plan, String... rest) {
        return Cli.run(Cli.args(command, broker.uri(), broker.organization(), plan, rest));
    }

    @Test
    void publishSendsEnvelopesAndAttributesWithConfirms(TestBroker broker, @TempDir Path dir) throws Exception {
        assertEquals(ExitCodes.OK, run(broker, "configure", TestPlans.OneHandler.class).exitCode());
        String id = UUID.randomUUID().toString();
        Path envelopes = dir.resolve("messages.jsonl");
        Files.writeString(envelopes, "{\"data\": {\"id\": \"" + id + "\", \"type\": \"user.created\", \"version\": 1, "
                + "\"type_message\": \"domain_event\", \"attributes\": {\"user_id\": \"u-1\", \"name\": \"Ann\", \"tags\": []}}}\n");
        Cli.Run envelope = run(broker, "publish", TestPlans.OneHandler.class, "--input", envelopes.toString());
        assertEquals(ExitCodes.OK, envelope.exitCode(), envelope.toString());
        assertTrue(envelope.out().contains("published 1 message to " + broker.organization() + ".cli"), envelope.toString());

        Path attributes = dir.resolve("attributes.json");
        Files.writeString(attributes, "[{\"user_id\": \"u-2\", \"name\": \"Bo\", \"tags\": []}, "
                + "{\"user_id\": \"u-3\", \"name\": \"Cy\", \"tags\": [\"x\"]}]");
        Cli.Run wrapped = run(broker, "publish", TestPlans.OneHandler.class, "--input", attributes.toString(),
                "--name", "user.created", "--progress", "lines", "--json");
        assertEquals(ExitCodes.OK, wrapped.exitCode(), wrapped.toString());
        assertEquals(2, Output.JSON.readTree(wrapped.out()).get("published").asInt(), wrapped.toString());
        Await.awaitQueueDepth(broker, queue(broker), 3, TIMEOUT);

        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            GetResponse first = channel.basicGet(queue(broker), true);
            JsonNode data = Output.JSON.readTree(first.getBody()).get("data");
            assertEquals(id, data.get("id").asText(), "the envelope's id is kept");
            assertEquals("Ann", data.get("attributes").get("name").asText());
        }
    }

    @Test
    void publishRefusesInputThatIsNotAMessageAndMessagesNoQueueTakes(TestBroker broker, @TempDir Path dir) throws Exception {
        Path notJson = dir.resolve("bad.json");
        Files.writeString(notJson, "{\"data\": ");
        Cli.Run bad = run(broker, "publish", TestPlans.OneHandler.class, "--input", notJson.toString());
        assertEquals(ExitCodes.CONFIGURATION, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("is not JSON"), bad.toString());

        Path attributes = dir.resolve("attributes.json");
        Files.writeString(attributes, "{\"user_id\": \"u-2\"}");
        Cli.Run noName = run(broker, "publish", TestPlans.OneHandler.class, "--input", attributes.toString());
        assertEquals(ExitCodes.CONFIGURATION, noName.exitCode(), noName.toString());
        assertTrue(noName.err().contains("give --name <message>"), noName.toString());

        assertEquals(ExitCodes.OK, run(broker, "configure", TestPlans.OneHandler.class).exitCode());
        Cli.Run unroutable = run(broker, "publish", TestPlans.OneHandler.class, "--input", attributes.toString(),
                "--name", "nobody.listens");
        assertEquals(ExitCodes.REFUSED, unroutable.exitCode(), unroutable.toString());
    }

    @Test
    void tailShowsMessagesThroughATemporaryQueueAndLeavesTheHandlersQueueAlone(TestBroker broker, @TempDir Path dir)
            throws Exception {
        assertEquals(ExitCodes.OK, run(broker, "configure", TestPlans.OneHandler.class).exitCode());
        Cli.Running tail = new Cli.Running();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> tail.commandLine.execute(
                "tail", "--url", broker.uri(), "--organization", broker.organization(), "--service", "cli",
                "--count", "1", "--timeout", "60s", "--json"));
        Await.until("tail to watch", TIMEOUT, () -> tail.err().contains("watching") || exit.isDone(), tail::err);
        Path attributes = dir.resolve("attributes.json");
        Files.writeString(attributes, "{\"user_id\": \"u-9\", \"name\": \"Di\", \"tags\": []}");
        assertEquals(ExitCodes.OK, run(broker, "publish", TestPlans.OneHandler.class, "--input", attributes.toString(),
                "--name", "user.created").exitCode());

        assertEquals(ExitCodes.OK, exit.get(60, TimeUnit.SECONDS), tail.out + "\n" + tail.err());
        JsonNode line = Output.JSON.readTree(tail.out.toString().lines().findFirst().orElseThrow());
        assertEquals("user.created", line.get("name").asText(), tail.out.toString());
        assertEquals("Di", line.get("attributes").get("name").asText());
        assertEquals(broker.organization() + ".cli.1.event.user_created", line.get("routingKey").asText());
        Await.awaitQueueDepth(broker, queue(broker), 1, TIMEOUT);
    }

    @Test
    void tailOfAServiceWithoutAnExchangeSaysToConfigureIt(TestBroker broker) {
        Cli.Run run = Cli.run("tail", "--url", broker.uri(), "--organization", broker.organization(), "--service", "nothing",
                "--timeout", "1s");
        assertEquals(ExitCodes.CONFIGURATION, run.exitCode(), run.toString());
        assertTrue(run.err().contains("exchange " + broker.organization() + ".nothing does not exist"), run.toString());
    }

    @Test
    void healthFindsMissingQueuesAndHandlersWithoutConsumers(TestBroker broker) throws Exception {
        Cli.Run missing = run(broker, "health", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.FINDINGS, missing.exitCode(), missing.toString());
        assertTrue(missing.out().contains("up, RabbitMQ 3."), missing.toString());
        assertTrue(missing.out().contains("missing: run eventbus configure"), missing.toString());

        assertEquals(ExitCodes.OK, run(broker, "configure", TestPlans.OneHandler.class).exitCode());
        Cli.Run stopped = run(broker, "health", TestPlans.OneHandler.class, "--json");
        assertEquals(ExitCodes.FINDINGS, stopped.exitCode(), stopped.toString());
        assertFalse(Output.JSON.readTree(stopped.out()).get("healthy").asBoolean(), stopped.out());
        assertTrue(stopped.out().contains("no consumer: is the service running?"), stopped.toString());

        RabbitMqEventBus service = broker.bus(b -> new TestPlans.OneHandler().configure(b).organization(broker.organization()));
        service.start();
        Cli.Run running = run(broker, "health", TestPlans.OneHandler.class);
        assertEquals(ExitCodes.OK, running.exitCode(), running.toString());
        assertTrue(running.out().endsWith("healthy\n"), running.toString());
    }

    @Test
    void anUnreachableBrokerExitsWithThreeAndNeverShowsThePassword() {
        Cli.Run run = Cli.run("health", "--url", "amqp://guest:s3cret-pw@127.0.0.1:1/");
        assertEquals(ExitCodes.UNREACHABLE, run.exitCode(), run.toString());
        assertTrue(run.err().contains("cannot connect to RabbitMQ at 127.0.0.1:1"), run.toString());
        assertFalse(run.toString().contains("s3cret-pw"), run.toString());
    }

    @Test
    void refusedCredentialsExitWithThreeAndNeverShowThePassword(TestBroker broker) {
        String uri = broker.uri().replaceFirst("://([^:@/]+):[^@]*@", "://$1:wr0ng-pw@");
        Cli.Run amqp = Cli.run("health", "--url", uri);
        assertEquals(ExitCodes.UNREACHABLE, amqp.exitCode(), amqp.toString());
        assertFalse(amqp.toString().contains("wr0ng-pw"), amqp.toString());
    }

}
