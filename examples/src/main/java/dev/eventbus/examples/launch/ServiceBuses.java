package dev.eventbus.examples.launch;

import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Where the example services get their buses: one organization on one broker, one service name per service
 * ({@code datagen}, {@code distributor}, {@code processor}, {@code statistics}, {@code eventstore}, {@code audit}),
 * hence one exchange {@code <organization>.<service>} each. Immutable and thread-safe if the factory is.
 *
 * @param factory builds a bus from a customizer that adds the service's own settings; it sets connection and
 *                organization (and may set a service, which the customizer replaces). In tests this is
 *                {@code TestBroker::bus}
 */
public record ServiceBuses(Function<UnaryOperator<RabbitMqEventBusBuilder>, RabbitMqEventBus> factory) {

    /** The organization when {@code PIPELINE_ORGANIZATION} is not set. */
    public static final String DEFAULT_ORGANIZATION = "alice";

    public ServiceBuses {
        Objects.requireNonNull(factory, "factory");
    }

    /**
     * Buses for the broker the environment names ({@code EVENTBUS_RABBITMQ_URL} or petisco's {@code RABBITMQ_*}; default
     * localhost), organization {@code PIPELINE_ORGANIZATION} (default {@value #DEFAULT_ORGANIZATION}, the other examples'
     * organization: the vhost-wide store queue's arguments name one organization, so only one organization per vhost
     * can declare it).
     */
    public static ServiceBuses fromEnvironment() {
        RabbitMqConnectionSettings settings = RabbitMqConnectionSettings.fromEnvironment();
        String organization = organization();
        return new ServiceBuses(customizer -> customizer.apply(RabbitMqEventBus.builder()
                .connection(settings)
                .organization(organization)).build());
    }

    /** The organization the environment names: {@code PIPELINE_ORGANIZATION}, default {@value #DEFAULT_ORGANIZATION}. */
    public static String organization() {
        return Settings.string("PIPELINE_ORGANIZATION", DEFAULT_ORGANIZATION);
    }

    /**
     * A new bus of this organization for one service (exchange {@code <organization>.<service>}), with the
     * customizer's settings. Opens no connection yet.
     */
    public RabbitMqEventBus bus(String service, UnaryOperator<RabbitMqEventBusBuilder> customizer) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(customizer, "customizer");
        return factory.apply(builder -> customizer.apply(builder.service(service)));
    }

    /**
     * A new bus for a service whose exchange feeds the vhost's store queue, as every petisco service's does: it
     * declares the store queues and binds its exchange to {@code store} ({@code retry.store}'s TTL is the bus's
     * {@code storeRetryDelay}, the same for every service of the vhost). Opens no connection yet.
     */
    public RabbitMqEventBus storedBus(String service, UnaryOperator<RabbitMqEventBusBuilder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return bus(service, builder -> customizer.apply(builder.declareStore(true)));
    }
}
