package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.micrometer.MicrometerObserver;
import dev.eventbus.opentelemetry.OpenTelemetryObserver;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The setup shown in docs/observability.md, compiled, and run on the in-memory bus (the RabbitMQ one is only built). */
class ObservabilityDocsExampleTest {

    @Test
    void bothObserversOnOneBus() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()) {
            MeterRegistry registry = new SimpleMeterRegistry();
            OpenTelemetry openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(tracing).build();
            Subscription sendMail = Subscription.of(UserCreated.class, "send_mail", message -> { });

            // tag::rabbitmq[]
            RabbitMqEventBus bus = RabbitMqEventBus.builder()
                    .organization("alice").service("orders")
                    .observer(MicrometerObserver.of(registry, "alice", "orders"))   // metrics
                    .observer(OpenTelemetryObserver.of(openTelemetry))              // tracing
                    .subscribe(sendMail)
                    .build();
            // end::rabbitmq[]
            assertEquals("alice.orders", bus.convention().mainExchange());

            // tag::in-memory[]
            InMemoryEventBus local = InMemoryEventBus.builder()
                    .convention(Convention.of("alice", "orders"))
                    .observer(MicrometerObserver.of(registry, "alice", "orders"))
                    .observer(OpenTelemetryObserver.of(openTelemetry))
                    .subscribe(sendMail)
                    .build();
            // end::in-memory[]
            EventBus started = local;
            started.start();
            try {
                started.publish(new UserCreated("u-1", "Alice"));
                assertTrue(local.awaitIdle(Duration.ofSeconds(10)), "the in-memory bus settled");
                assertEquals(1.0, registry.get(MicrometerObserver.DELIVERIES).tag("outcome", "handled").counter().count());
                assertEquals(2, spans.getFinishedSpanItems().size(), () -> "a publish and a process span: "
                        + spans.getFinishedSpanItems());
            } finally {
                started.stop();
            }
        }
    }
}
