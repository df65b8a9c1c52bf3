package dev.eventbus.spring.boot;

import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.InMemoryEventBusBuilder;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The event bus as a Spring Boot application expects it: built from the {@code eventbus.*} properties
 * ({@link EventBusProperties}), its handlers found among the beans ({@link HandlerBeans}: {@code MessageHandler} and
 * {@code DeliveryHandler} beans, {@link EventHandler} methods, {@code Subscription} beans), started and stopped with
 * the application context ({@link EventBusLifecycle}).
 *
 * <p>Beans: the bus, named {@code eventBus} with the alias {@code eventPublisher}, of type {@link RabbitMqEventBus}
 * ({@code eventbus.transport=rabbitmq}, the default) or {@link InMemoryEventBus} ({@code eventbus.transport=in-memory},
 * no broker), so it is injected as {@code EventBus}, as {@link dev.eventbus.core.EventPublisher} (the publishing role)
 * and as its own class. An application that declares its own {@code EventBus} bean keeps it, and still gets its
 * handler beans subscribed and its lifecycle managed.
 *
 * <p>What properties cannot say goes through beans: a {@link MessageValidator} bean (e.g. eventbus-schema's
 * {@code JsonSchemaValidator}) checks messages on publish and consume; every {@link RabbitMqEventBusBuilderCustomizer}
 * and {@link InMemoryEventBusBuilderCustomizer} bean changes the builder last, which is also where an observability
 * module plugs in its metrics. The bus keeps its own Jackson mapper (petisco's wire format), not the application's.
 */
@AutoConfiguration
@ConditionalOnClass(EventBus.class)
@EnableConfigurationProperties(EventBusProperties.class)
@Import({EventBusAutoConfiguration.RabbitMqBus.class, EventBusAutoConfiguration.InMemoryBus.class})
public class EventBusAutoConfiguration {

    /** Subscribes the handler beans once every singleton exists. */
    @Bean
    HandlerBeans eventBusHandlerBeans(EventBus eventBus, EventBusProperties properties,
                                             ConfigurableListableBeanFactory beanFactory) {
        return new HandlerBeans(eventBus, properties, beanFactory);
    }

    /** Starts and stops the bus with the context. */
    @Bean
    @ConditionalOnMissingBean
    EventBusLifecycle eventBusLifecycle(EventBus eventBus, EventBusProperties properties) {
        return new EventBusLifecycle(eventBus, properties.isAutoStartup(), properties.isConfigureOnStart());
    }

    /** The RabbitMQ bus, {@code eventbus.transport=rabbitmq} (the default). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(EventBus.class)
    @Conditional(TransportCondition.RabbitMq.class)
    static class RabbitMqBus {

        @Bean(name = {"eventBus", "eventPublisher"})
        RabbitMqEventBus eventBus(EventBusProperties properties, ObjectProvider<MessageValidator> validator,
                                  ObjectProvider<RabbitMqEventBusBuilderCustomizer> customizers) {
            EventBusProperties.RabbitMq rabbitmq = properties.getRabbitmq();
            RabbitMqEventBusBuilder builder = RabbitMqEventBus.builder()
                    .connection(rabbitmq.connectionSettings())
                    .organization(required(properties.getOrganization()))
                    .service(required(properties.getService()))
                    .nameStyle(properties.getNameStyle())
                    .retryPolicy(properties.retryPolicy())
                    .stopTimeout(properties.getStopTimeout());
            rabbitmq.applyTo(builder);
            if (properties.getHandlerThreads() != null) {
                builder.consumerThreads(properties.getHandlerThreads());
            }
            validator.ifUnique(builder::validator);
            customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
            return builder.build();
        }
    }

    /** The in-memory bus, {@code eventbus.transport=in-memory}: no broker. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(EventBus.class)
    @Conditional(TransportCondition.InMemory.class)
    static class InMemoryBus {

        @Bean(name = {"eventBus", "eventPublisher"})
        InMemoryEventBus eventBus(EventBusProperties properties, ObjectProvider<MessageValidator> validator,
                                  ObjectProvider<InMemoryEventBusBuilderCustomizer> customizers) {
            InMemoryEventBusBuilder builder = InMemoryEventBus.builder()
                    .convention(new Convention(required(properties.getOrganization()), required(properties.getService()),
                            properties.getNameStyle()))
                    .retryPolicy(properties.retryPolicy())
                    .stopTimeout(properties.getStopTimeout());
            if (properties.getHandlerThreads() != null) {
                builder.handlerThreads(properties.getHandlerThreads());
            }
            validator.ifUnique(builder::validator);
            customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
            return builder.build();
        }
    }

    /** Validation has required it already; this only satisfies the compiler's nullness. */
    private static String required(@Nullable String value) {
        return Objects.requireNonNull(value, "validated as required");
    }
}
