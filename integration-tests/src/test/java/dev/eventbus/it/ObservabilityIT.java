package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.opentelemetry.OpenTelemetryObserver;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.LocalNode;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What the RabbitMQ bus tells its observers beyond the pipeline's events (consumers, connections), and trace context in
 * meta against a petisco consumer.
 */
@RabbitMqTest
class ObservabilityIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aPetiscoConsumerReceivesATracedMessageAndItsRetryAndDeadLetterKeepTheTraceContext(TestBroker broker)
            throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()) {
            RabbitMqEventBus bus = broker.bus(b -> b.observer(OpenTelemetryObserver.of(
                    OpenTelemetrySdk.builder().setTracerProvider(tracing).build())));
            String routingKey = bus.convention().routingKey(MessageType.of(UserCreated.class));
            String queue = routingKey + ".send_mail_handler";
            List<String> seenTraceparents = new CopyOnWriteArrayList<>();
            try (Connection connection = broker.newConnection();
                 PetiscoService petisco = new PetiscoService(connection, broker.organization(), broker.service())) {
                petisco.declareHandler(routingKey, "send_mail_handler");
                petisco.consume(queue, "send_mail_handler", 1, data -> {
                    seenTraceparents.add(data.path("meta").path(OpenTelemetryObserver.TRACEPARENT).asText());
                    return true; // always fails: one retry, then the dead letter
                });

                bus.publish(new UserCreated("u-1", "traced"));

                List<DeadLetter> letters = Await.untilValue("petisco's dead letter", TIMEOUT,
                        () -> bus.admin().deadLetters().peek(queue, 10), seen -> !seen.isEmpty());
                SpanData publish = Await.untilValue("the producer span", TIMEOUT, spans::getFinishedSpanItems,
                        seen -> !seen.isEmpty()).get(0);
                assertEquals(SpanKind.PRODUCER, publish.getKind());
                String traceparent = "00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-01";
                assertEquals(0, petisco.unparsable(), "petisco parses a body with trace context in its meta");
                assertEquals(List.of(traceparent, traceparent), seenTraceparents,
                        "petisco's first attempt and its retry see the publisher's traceparent");
                assertEquals(List.of("retry." + queue), petisco.retryKeys(), "petisco retried under its queue's key");
                dev.eventbus.core.Envelope deadLetter = bus.codec().decodeEnvelope(letters.get(0).body());
                assertEquals(traceparent, deadLetter.meta().get(OpenTelemetryObserver.TRACEPARENT),
                        "the dead letter stays in the trace");
                assertEquals(2, letters.get(0).attempts(), letters.get(0).toString());
            }
        }
    }

    @Test
    void metaHeadersCopiesTheTraceContextIntoAmqpHeadersOnlyWhenAsked(TestBroker broker) throws Exception {
        try (SdkTracerProvider tracing = SdkTracerProvider.builder().build()) {
            OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(tracing).build();
            RabbitMqEventBus bus = broker.bus(b -> b.observer(OpenTelemetryObserver.of(openTelemetry))
                    .metaHeaders(OpenTelemetryObserver.TRACEPARENT, OpenTelemetryObserver.TRACESTATE)
                    .subscribe(Subscription.of(UserCreated.class, "send_mail", m -> { })));
            bus.admin().configure(); // not started: the messages wait in the queue
            bus.publish(new UserCreated("u-1", "publish"));
            bus.publishAsync(Message.of(new UserCreated("u-2", "publishAsync"))).get(30, java.util.concurrent.TimeUnit.SECONDS);
            bus.publish(List.of(new UserCreated("u-3", "list")));

            String queue = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "send_mail");
            try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
                for (int i = 0; i < 3; i++) {
                    com.rabbitmq.client.GetResponse response = Await.untilValue("message " + (i + 1), TIMEOUT,
                            () -> {
                                try {
                                    return channel.basicGet(queue, true);
                                } catch (java.io.IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            }, got -> got != null);
                    Object inMeta = bus.codec().decodeEnvelope(response.getBody()).meta().get(OpenTelemetryObserver.TRACEPARENT);
                    java.util.Map<String, Object> headers = response.getProps().getHeaders();
                    assertNotNull(headers, "headers of message " + (i + 1));
                    assertEquals(String.valueOf(inMeta), String.valueOf(headers.get(OpenTelemetryObserver.TRACEPARENT)),
                            "the header is the meta's traceparent");
                    assertEquals(java.util.Set.of(OpenTelemetryObserver.TRACEPARENT), headers.keySet(),
                            "no tracestate header when the trace has none");
                }
            }
        }
    }

    @Test
    void consumersArePausedFailedWhenTheirQueueIsDeletedConsumingAgainAndStopped(TestBroker broker) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        RabbitMqEventBus bus = broker.bus(b -> b.observer(observer)
                .subscribe(Subscription.of(UserCreated.class, "send_mail", m -> { })));
        String queue = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "send_mail");
        bus.admin().configure();
        bus.start();
        bus.pause("send_mail");
        bus.resume("send_mail");
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(queue); // the broker cancels the consumer; the bus declares the queue again
        }
        Await.until("the consumer failed and came back", TIMEOUT,
                () -> observer.consumerStates().size() >= 5, observer.consumerStates()::toString);
        assertEquals(List.of("CONSUMING", "PAUSED", "CONSUMING", "FAILED", "CONSUMING"), observer.consumerStates());
        assertTrue(observer.consumerDetails().get(3).contains("cancelled"), observer.consumerDetails().toString());
        bus.stop();
        assertEquals("STOPPED", observer.consumerStates().get(observer.consumerStates().size() - 1));
        assertTrue(observer.consumerEvents().stream().allMatch(event -> event.startsWith("send_mail " + queue + " ")),
                observer.consumerEvents()::toString);
    }

    /** On a node of its own (the alarm and the closed connections touch nothing else): ports 5701, 25701, 15701. */
    @Test
    void blockedUnblockedAndRecoveredConnectionsAreReported() throws Exception {
        Optional<String> missing = LocalNode.unavailableReason();
        Assumptions.assumeTrue(missing.isEmpty(), () -> "no local node can be started: " + missing.orElse(""));
        try (LocalNode node = LocalNode.builder().nodeName("eventbus-obs@localhost").amqpPort(5701)
                .distributionPort(25701).managementPort(15701).build().start(Duration.ofSeconds(120))) {
            RecordingObserver observer = new RecordingObserver();
            RabbitMqEventBus bus = RabbitMqEventBus.builder()
                    .connection(RabbitMqConnectionSettings.fromUri(node.amqpUri()).withRecoveryInterval(Duration.ofMillis(500)))
                    .connectionName("obs-it")
                    .organization("obs").service("alarms")
                    .publishTimeout(Duration.ofSeconds(60))
                    .observer(observer)
                    .subscribe(Subscription.of(UserCreated.class, "send_mail", m -> { }))
                    .build();
            try {
                bus.admin().configure();
                bus.start();
                bus.publish(new UserCreated("u-1", "before the alarm"));

                node.ctl("/").setMemoryHighWatermark(0);
                // the node checks its memory periodically: publish only once the alarm is on, so that the publish is
                // what the broker blocks (a connection is blocked on its first publish during an alarm)
                Await.until("the node's memory alarm", TIMEOUT,
                        () -> node.ctl("/").eval("rabbit_alarm:get_alarms().").contains("memory"), () -> "no alarm yet");
                CompletableFuture<Void> held = bus.publishAsync(Message.of(new UserCreated("u-2", "during the alarm")));
                Await.until("the publisher connection blocked", TIMEOUT,
                        () -> observer.connectionEvents().contains("obs-it-publisher BLOCKED"), observer.connectionEvents()::toString);
                node.ctl("/").setMemoryHighWatermark(0.4);
                Await.until("the publisher connection unblocked", TIMEOUT,
                        () -> observer.connectionEvents().contains("obs-it-publisher UNBLOCKED"), observer.connectionEvents()::toString);
                held.get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

                node.ctl("/").closeAllConnections("ObservabilityIT: recovery");
                Await.until("both connections recovered", TIMEOUT,
                        () -> observer.connectionEvents().containsAll(List.of("obs-it-publisher RECOVERED",
                                "obs-it-consumer RECOVERED")), observer.connectionEvents()::toString);
                assertTrue(observer.connectionDetails().stream().anyMatch(detail -> detail.contains("memory")),
                        () -> "the blocked event says why: " + observer.connectionDetails());
            } finally {
                bus.stop();
                node.ctl("/").setMemoryHighWatermark(0.4);
            }
        }
    }

    /** Records consumer and connection events. Thread-safe. */
    static final class RecordingObserver implements EventBusObserver {
        private final List<String> consumerEvents = new CopyOnWriteArrayList<>();
        private final List<String> consumerStates = new CopyOnWriteArrayList<>();
        private final List<String> consumerDetails = new CopyOnWriteArrayList<>();
        private final List<String> connectionEvents = new CopyOnWriteArrayList<>();
        private final List<String> connectionDetails = new CopyOnWriteArrayList<>();

        @Override
        public void consumerChanged(String handler, String queue, HandlerStatus.State state, @Nullable String detail) {
            consumerEvents.add(handler + " " + queue + " " + state);
            consumerStates.add(state.name());
            consumerDetails.add(String.valueOf(detail));
        }

        @Override
        public void connectionChanged(String connection, ConnectionEvent event, @Nullable String detail) {
            connectionEvents.add(connection + " " + event);
            connectionDetails.add(String.valueOf(detail));
        }

        List<String> consumerEvents() {
            return consumerEvents;
        }

        List<String> consumerStates() {
            return consumerStates;
        }

        List<String> consumerDetails() {
            return consumerDetails;
        }

        List<String> connectionEvents() {
            return connectionEvents;
        }

        List<String> connectionDetails() {
            return connectionDetails;
        }
    }
}
