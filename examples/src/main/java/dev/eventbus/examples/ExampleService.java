package dev.eventbus.examples;

import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import dev.eventbus.schema.JsonSchemaValidator;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What configure, consume and publish share, as petisco's {@code examples/rabbitmq/common.py}: the organization,
 * the service, the subscriptions and the bus.
 */
final class ExampleService {

    static final String ORGANIZATION = "alice";
    static final String SERVICE = "petisco";
    /** Short, so the demo shows retries and a dead letter within seconds. */
    static final RetryPolicy RETRY = RetryPolicy.of(2, Duration.ofMillis(500));

    /** JSON Schemas of the example events, from eventbus/schemas/ on the classpath: checked on publish and consume. */
    static final JsonSchemaValidator SCHEMAS = JsonSchemaValidator.fromClasspath();

    private ExampleService() {
    }

    static List<Subscription> subscriptions(SendMailHandler sendMail, Consumer<String> report) {
        return List.of(
                Subscription.of(UserCreated.class, sendMail),
                Subscription.store("event_store", message -> report.accept("event_store stored " + message.name()
                        + " v" + message.version() + " " + message.payload())));
    }

    /** The bus, connecting as the environment says (EVENTBUS_RABBITMQ_URL or RABBITMQ_*; default localhost). */
    static RabbitMqEventBus bus(String service, Consumer<String> report) {
        return bus(RabbitMqConnectionSettings.fromEnvironment(), service, new SendMailHandler(report), report);
    }

    /** The bus with a given mail handler, so the demo can read its counts. */
    static RabbitMqEventBus bus(RabbitMqConnectionSettings connection, String service, SendMailHandler sendMail,
                                Consumer<String> report) {
        return configure(RabbitMqEventBus.builder().connection(connection), service, sendMail, report).build();
    }

    /** Everything of the bus but the connection: what the service and its {@link PetiscoPlan} share. */
    static RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder builder, String service, SendMailHandler sendMail,
                                             Consumer<String> report) {
        return builder
                .organization(ORGANIZATION)
                .service(service)
                .retryPolicy(RETRY)
                .validator(SCHEMAS)
                .subscribe(subscriptions(sendMail, report).toArray(Subscription[]::new));
    }
}
