package dev.eventbus.benchmarks;

import dev.eventbus.micrometer.MicrometerObserver;
import dev.eventbus.opentelemetry.OpenTelemetryObserver;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The observers of the {@code e2e-obs} benchmark on a bus: Micrometer into a {@link SimpleMeterRegistry}, and
 * OpenTelemetry with every span sampled, batched as in production ({@link BatchSpanProcessor}, its defaults) to an
 * exporter that counts and drops them (what a network exporter costs is the collector's business, not the bus's).
 */
final class Observed implements AutoCloseable {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong exported = new AtomicLong();
    private final SdkTracerProvider tracing = SdkTracerProvider.builder()
            .addSpanProcessor(BatchSpanProcessor.builder(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    exported.addAndGet(spans.size());
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            }).build())
            .build();

    /** Puts both observers on the builder of the bus of {@code service}. */
    Observed(RabbitMqEventBusBuilder builder, String service) {
        builder.observer(MicrometerObserver.of(registry, "bench", service))
                .observer(OpenTelemetryObserver.of(OpenTelemetrySdk.builder().setTracerProvider(tracing).build()));
    }

    @Override
    public void close() {
        tracing.close();
        registry.close();
    }
}
