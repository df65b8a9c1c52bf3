package dev.eventbus.testkit;

import dev.eventbus.core.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerSelectorTest {

    private final List<String> probed = new ArrayList<>();
    private final RunningBroker container = new RunningBroker(BrokerSource.TESTCONTAINERS,
            new BrokerUri("amqp://guest:secret@10.0.0.7:32771"), ctl(), () -> probed.add("container stopped"));

    private static RabbitMqCtl ctl() {
        return new RabbitMqCtl(LocalCtlRunner.unavailable("no rabbitmqctl in this unit test"), "/", Duration.ofSeconds(1));
    }

    private BooleanSupplier probe(String name, boolean answer) {
        return () -> {
            probed.add(name);
            return answer;
        };
    }

    private BrokerSelector selector(Map<String, String> environment, Map<String, String> properties, boolean localhost,
                                    boolean docker) {
        return new BrokerSelector(environment::get, properties::get, probe("localhost", localhost), probe("docker", docker),
                uri -> ctl(), () -> {
                    probed.add("container started");
                    return container;
                });
    }

    @Test
    void usesTheEnvironmentVariableBeforeAnythingElse() {
        RunningBroker broker = selector(Map.of("EVENTBUS_RABBITMQ_URL", "amqp://app:pw@rabbit.example:5672/tests"), Map.of(),
                true, true).select();

        assertEquals(BrokerSource.ENVIRONMENT, broker.source());
        assertEquals("amqp://app:pw@rabbit.example:5672/tests", broker.uri().value());
        assertEquals("tests", broker.uri().virtualHost());
        assertEquals(List.of(), probed, "no probe should run when a URL is named");
    }

    @Test
    void systemPropertyWinsOverTheEnvironmentVariable() {
        RunningBroker broker = selector(Map.of("EVENTBUS_RABBITMQ_URL", "amqp://env:pw@env-host:5672"),
                Map.of("eventbus.rabbitmq.url", "amqp://prop:pw@prop-host:5672"), false, false).select();

        assertEquals(BrokerSource.ENVIRONMENT, broker.source());
        assertEquals("prop-host", broker.uri().host());
    }

    @Test
    void usesLocalhostWhenNoUrlIsNamedAndItAnswers() {
        RunningBroker broker = selector(Map.of(), Map.of(), true, true).select();

        assertEquals(BrokerSource.LOCALHOST, broker.source());
        assertEquals("amqp://guest:****@localhost:5672", broker.uri().display());
        assertEquals("/", broker.uri().virtualHost());
        assertEquals(List.of("localhost"), probed, "Docker should not be probed when localhost answers");
    }

    @Test
    void startsAContainerWhenNothingElseIsThereAndDockerIs() {
        RunningBroker broker = selector(Map.of("EVENTBUS_RABBITMQ_URL", "  "), Map.of(), false, true).select();

        assertSame(container, broker);
        assertEquals(List.of("localhost", "docker", "container started"), probed);
    }

    @Test
    void failsWithHowToProvideABrokerWhenThereIsNone() {
        TestBrokerUnavailableException failure = assertThrows(TestBrokerUnavailableException.class,
                () -> selector(Map.of(), Map.of(), false, false).select());

        assertTrue(failure.getMessage().contains("set EVENTBUS_RABBITMQ_URL="), failure.getMessage());
        assertTrue(failure.getMessage().contains("rabbitmq-server -detached"), failure.getMessage());
        assertTrue(failure.getMessage().contains("install and start Docker"), failure.getMessage());
        assertFalse(probed.contains("container started"), "observed: " + probed);
    }

    @Test
    void rejectsAnInvalidUrlWithoutShowingItsPassword() {
        ConfigurationException failure = assertThrows(ConfigurationException.class,
                () -> selector(Map.of("EVENTBUS_RABBITMQ_URL", "http://user:hunter2@host:5672"), Map.of(), true, true).select());

        assertTrue(failure.getMessage().contains("http://user:****@host:5672"), failure.getMessage());
        assertFalse(failure.getMessage().contains("hunter2"), failure.getMessage());
    }

    @Test
    void masksThePasswordOfDisplayedUris() {
        assertEquals("amqps://svc:****@broker:5671/%2F", new BrokerUri("amqps://svc:p%40ss@broker:5671/%2F").display());
        assertEquals("amqp://localhost", new BrokerUri("amqp://localhost").display());
        assertEquals("amqp://svc:****@broker", new BrokerUri("amqp://svc:secret@broker").toString());
    }

    @Test
    void skipsOnlyWhenAskedAndTheBrokerIsMissing() {
        TestBrokerUnavailableException missing = new TestBrokerUnavailableException("no RabbitMQ broker for the tests");

        TestAbortedException skipped = assertThrows(TestAbortedException.class, () -> RabbitMqExtension.failOrSkip(missing, true));
        assertTrue(skipped.getMessage().contains("no RabbitMQ broker for the tests"), skipped.getMessage());
        TestBrokerUnavailableException failed = assertThrows(TestBrokerUnavailableException.class,
                () -> RabbitMqExtension.failOrSkip(missing, false));
        assertEquals(missing.getMessage(), failed.getMessage());
        assertThrows(TestBrokerUnavailableException.class,
                () -> RabbitMqExtension.failOrSkip(new ConfigurationException("bad URL"), true),
                "a wrong URL must fail even when skipping is allowed");
    }
}
