package dev.eventbus.spring.boot;

import dev.eventbus.micrometer.MicrometerObserver;
import dev.eventbus.opentelemetry.OpenTelemetryObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Objects;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Metrics and tracing for the auto-configured bus: with {@code eventbus-micrometer} on the classpath and a
 * {@link MeterRegistry} bean (Actuator makes one), a {@link MicrometerObserver} of the bus's organization and service;
 * with {@code eventbus-opentelemetry} and an {@link OpenTelemetry} bean, an {@link OpenTelemetryObserver}. Each is
 * a bean (an application's own bean of that type replaces it), registered on the bus through a builder customizer.
 * {@code eventbus.observability.metrics.enabled=false} or {@code eventbus.observability.tracing.enabled=false} turns
 * one off.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration"})
@Import({EventBusObservabilityAutoConfiguration.Metrics.class, EventBusObservabilityAutoConfiguration.Tracing.class})
public class EventBusObservabilityAutoConfiguration {

    /** The Micrometer observer, when eventbus-micrometer is present and there is a meter registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MicrometerObserver.class, MeterRegistry.class})
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnProperty(name = "eventbus.observability.metrics.enabled", matchIfMissing = true)
    static class Metrics {

        /** One observer (its in-flight gauge is registered once), put on whichever bus the transport builds. */
        @Bean
        @ConditionalOnMissingBean
        MicrometerObserver eventBusMicrometerObserver(MeterRegistry registry, EventBusProperties properties) {
            return MicrometerObserver.of(registry, Objects.requireNonNull(properties.getOrganization(), "eventbus.organization"),
                    Objects.requireNonNull(properties.getService(), "eventbus.service"));
        }

        @Bean
        RabbitMqEventBusBuilderCustomizer eventBusMetricsOnRabbitMq(MicrometerObserver observer) {
            return builder -> builder.observer(observer);
        }

        @Bean
        InMemoryEventBusBuilderCustomizer eventBusMetricsInMemory(MicrometerObserver observer) {
            return builder -> builder.observer(observer);
        }
    }

    /** The OpenTelemetry observer, when eventbus-opentelemetry is present and there is an OpenTelemetry bean. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({OpenTelemetryObserver.class, OpenTelemetry.class})
    @ConditionalOnBean(OpenTelemetry.class)
    @ConditionalOnProperty(name = "eventbus.observability.tracing.enabled", matchIfMissing = true)
    static class Tracing {

        @Bean
        @ConditionalOnMissingBean
        OpenTelemetryObserver eventBusOpenTelemetryObserver(OpenTelemetry openTelemetry) {
            return OpenTelemetryObserver.of(openTelemetry);
        }

        @Bean
        RabbitMqEventBusBuilderCustomizer eventBusTracingOnRabbitMq(OpenTelemetryObserver observer) {
            return builder -> builder.observer(observer);
        }

        @Bean
        InMemoryEventBusBuilderCustomizer eventBusTracingInMemory(OpenTelemetryObserver observer) {
            return builder -> builder.observer(observer);
        }
    }
}
