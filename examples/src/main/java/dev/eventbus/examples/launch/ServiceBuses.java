package dev.eventbus.examples.launch;

import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Where the example services get their buses: one organization and service (the logical service all of them belong
 * to, see examples/README.md) on one broker. Each service builds its own bus through {@link #bus}, adding its
 * subscriptions and settings. Immutable and thread-safe if the factory is.
 *
 * @param factory    builds a bus from a customizer that adds the service's own settings; it sets connection,
 *                   organization and service. In tests this is {@code TestBroker::bus}
 * @param connection where the broker is, for what the bus does not offer (the event store's raw replay channel)
 */
public record ServiceBuses(Function<UnaryOperator<RabbitMqEventBus.Builder>, RabbitMqEventBus> factory,
                           RabbitMqConnectionSettings connection) {

    /** The logical service every example service publishes and consumes as: exchange {@code <organization>.pipeline}. */
    public static final String SERVICE = "pipeline";
    /** The organization when {@code PIPELINE_ORGANIZATION} is not set. */
    public static final String DEFAULT_ORGANIZATION = "alice";

    public ServiceBuses {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(connection, "connection");
    }

    /**
     * Buses for the broker the environment names ({@code EVENTBUS_RABBITMQ_URL} or petisco's {@code RABBITMQ_*}; default
     * localhost), organization {@code PIPELINE_ORGANIZATION} (default {@value #DEFAULT_ORGANIZATION}, the other examples'
     * organization: the vhost-wide store queue's arguments name one organization, so only one organization per vhost
     * can declare it) and service {@value #SERVICE}.
     */
    public static ServiceBuses fromEnvironment() {
        RabbitMqConnectionSettings settings = RabbitMqConnectionSettings.fromEnvironment();
        String organization = Settings.string("PIPELINE_ORGANIZATION", DEFAULT_ORGANIZATION);
        return new ServiceBuses(customizer -> customizer.apply(RabbitMqEventBus.builder()
                .connection(settings)
                .organization(organization)
                .service(SERVICE)).build(), settings);
    }

    /** A new bus of this organization and service, with the customizer's settings. Opens no connection yet. */
    public RabbitMqEventBus bus(UnaryOperator<RabbitMqEventBus.Builder> customizer) {
        return factory.apply(customizer);
    }
}
