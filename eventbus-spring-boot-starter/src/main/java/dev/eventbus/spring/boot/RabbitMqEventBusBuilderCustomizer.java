package dev.eventbus.spring.boot;

import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;

/**
 * Changes the {@link RabbitMqEventBusBuilder} the auto-configuration builds the bus with, after the
 * {@code eventbus.*} properties were applied and before {@code build()}. Declare beans of this type for what
 * properties cannot say: an {@code objectMapper}, a {@code validator} other than the context's one
 * {@link dev.eventbus.core.MessageValidator} bean, subscriptions built by hand.
 *
 * <p><b>The extension point of other modules.</b> Every bean of this type is applied, in {@code @Order}: this is how
 * an observability module (metrics through the application's Micrometer {@code MeterRegistry}) plugs into the bus
 * without the starter knowing it: its own auto-configuration declares a customizer that installs its hooks.
 *
 * <pre>{@code
 * @Bean
 * RabbitMqEventBusBuilderCustomizer singleThreadedBilling() {
 *     return builder -> builder.consumerThreads(1);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface RabbitMqEventBusBuilderCustomizer {

    /** Changes the builder; called once, on the thread that creates the bus bean. */
    void customize(RabbitMqEventBusBuilder builder);
}
