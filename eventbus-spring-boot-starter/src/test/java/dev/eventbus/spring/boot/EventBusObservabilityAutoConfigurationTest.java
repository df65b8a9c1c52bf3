package dev.eventbus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbus.core.EventBus;
import dev.eventbus.micrometer.MicrometerObserver;
import dev.eventbus.opentelemetry.OpenTelemetryObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The observers registered on the auto-configured bus when the application has a meter registry or OpenTelemetry. */
class EventBusObservabilityAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EventBusAutoConfiguration.class,
                    EventBusObservabilityAutoConfiguration.class))
            .withPropertyValues("eventbus.organization=alice", "eventbus.service=billing", "eventbus.transport=in-memory");

    @Configuration(proxyBeanMethods = false)
    static class Telemetry {
        static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean(destroyMethod = "close")
        OpenTelemetrySdk openTelemetry() {
            return OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build()).build();
        }
    }

    @Test
    void aMeterRegistryAndOpenTelemetryBeanGetTheBusMeteredAndTraced() {
        Telemetry.SPANS.reset();
        runner.withUserConfiguration(Telemetry.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(MicrometerObserver.class).hasSingleBean(OpenTelemetryObserver.class);
            context.getBean(EventBus.class).publish(new UserCreated("u-1", "Alice"));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.find(MicrometerObserver.PUBLISH).tags("organization", "alice", "service", "billing",
                    "outcome", "confirmed").counter()).isNotNull().satisfies(counter -> assertThat(counter.count()).isEqualTo(1.0));
            assertThat(Telemetry.SPANS.getFinishedSpanItems()).anySatisfy(span ->
                    assertThat(span.getKind()).isEqualTo(SpanKind.PRODUCER));
        });
    }

    @Test
    void withoutTheBeansOrTheModulesNothingIsRegistered() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MicrometerObserver.class)
                .doesNotHaveBean(OpenTelemetryObserver.class));
        runner.withUserConfiguration(Telemetry.class)
                .withClassLoader(new FilteredClassLoader(MicrometerObserver.class, OpenTelemetryObserver.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("eventBusMetricsInMemory")
                        .doesNotHaveBean("eventBusTracingInMemory"));
    }

    @Test
    void eachCanBeTurnedOff() {
        runner.withUserConfiguration(Telemetry.class)
                .withPropertyValues("eventbus.observability.metrics.enabled=false", "eventbus.observability.tracing.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MicrometerObserver.class)
                        .doesNotHaveBean(OpenTelemetryObserver.class).hasSingleBean(OpenTelemetry.class));
    }
}
