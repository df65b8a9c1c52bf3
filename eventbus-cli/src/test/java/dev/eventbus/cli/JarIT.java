package dev.eventbus.cli;

import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runnable jar the build makes, {@code target/eventbus.jar}, run as users run it: {@code java -jar}. */
@RabbitMqTest
class JarIT {

    private static final Path JAR = Path.of("target", "eventbus.jar");

    private record Result(int exitCode, String out, String err) {
    }

    private static Result java(String stdin, String... args) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is built by `package`");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("eventbus-out", ".txt");
        Path err = Files.createTempFile("eventbus-err", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "java -jar " + String.join(" ", args) + " ended within 60 s");
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    @Test
    void theJarRunsItsCommands(TestBroker broker) throws Exception {
        Result version = java("", "--version");
        assertEquals(0, version.exitCode(), version.toString());
        assertTrue(version.out().startsWith("eventbus 0."), version.toString());

        Result topology = java("", "topology", "--plan", TestPlans.OneHandler.class.getName(), "--classpath",
                Path.of("target", "test-classes").toString(), "--format", "mermaid");
        assertEquals(0, topology.exitCode(), topology.toString());
        assertTrue(topology.out().startsWith("flowchart LR\n"), topology.toString());

        Result health = java("", "health", "--url", broker.uri());
        assertEquals(0, health.exitCode(), health.toString());
        assertTrue(health.out().contains(": up, RabbitMQ 3."), health.toString());
        assertTrue(health.err().isEmpty(), "no log lines on stderr below WARN: " + health.err());
    }

    @Test
    void publishReadsStdinAndAWrongCommandLineExitsWithTwo(TestBroker broker) throws Exception {
        assertEquals(ExitCodes.OK, Cli.run(Cli.args("configure", broker.uri(), broker.organization(),
                TestPlans.OneHandler.class)).exitCode());
        Result publish = java("{\"user_id\": \"u-1\", \"name\": \"Ann\", \"tags\": []}\n{\"user_id\": \"u-2\", \"name\": \"Bo\", \"tags\": []}\n",
                "publish", "--url", broker.uri(), "--organization", broker.organization(), "--service", "cli",
                "--name", "user.created");
        assertEquals(0, publish.exitCode(), publish.toString());
        assertTrue(publish.out().contains("published 2 messages"), publish.toString());
        Await.awaitQueueDepth(broker, broker.organization() + ".cli.1.event.user_created.send_mail_handler", 2,
                Duration.ofSeconds(30));

        Result usage = java("", "publish", "--no-such-option");
        assertEquals(ExitCodes.USAGE, usage.exitCode(), usage.toString());
        assertTrue(usage.err().contains("Unknown option: '--no-such-option'"), usage.toString());
    }

    @Test
    void deadLettersListsThroughTheJarAndRefusesToDiscardWithoutYesFromAPipe(TestBroker broker) throws Exception {
        RabbitMqEventBus service = broker.bus(b -> TestPlans.failing(b, false).organization(broker.organization()));
        service.admin().configure();
        service.start();
        service.publish(new TestPlans.UserCreated("u-1", "Ann", List.of()));
        String queue = broker.organization() + ".cli.1.event.user_created.send_mail_handler";
        Await.until("a dead letter", Duration.ofSeconds(30), () -> service.admin().deadLetters().count(queue) == 1);
        service.stop();

        Result list = java("", "dead-letters", "list", "--url", broker.uri(), "--queue", queue);
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().contains("NonRetryableException: no mail server for Ann"), list.toString());

        Result discard = java("y\n", "dead-letters", "discard", "--url", broker.uri(), "--queue", queue);
        assertEquals(ExitCodes.USAGE, discard.exitCode(), "stdin is a pipe: a 'y' on it is no confirmation " + discard);
        assertTrue(discard.err().contains("Add --yes to confirm"), discard.toString());
        Result yes = java("", "dead-letters", "discard", "--url", broker.uri(), "--queue", queue, "--yes");
        assertEquals(0, yes.exitCode(), yes.toString());
        assertTrue(yes.out().startsWith("discarded 1 letter"), yes.toString());
        try (com.rabbitmq.client.Connection connection = broker.newConnection();
             com.rabbitmq.client.Channel channel = connection.createChannel()) {
            assertEquals(0, channel.messageCount("dead_letter." + queue), "the letter was discarded");
        }
    }
}
