package dev.eventbus.cli;

import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;

/**
 * How the {@code eventbus} command line learns a service: its organization, service name, subscriptions and topology
 * settings, exactly as the service builds its bus. A service implements it once, in a public class with a public
 * no-argument constructor, and names it with {@code --plan <class> --classpath <its jar or classes>} (or lists it in
 * {@code META-INF/services/dev.eventbus.cli.ServicePlan}, and the command line finds it on the classpath alone).
 *
 * <pre>{@code
 * public final class PetiscoPlan implements ServicePlan {
 *     public RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder bus) {
 *         return bus.organization("alice").service("petisco")
 *                 .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", message -> { }));
 *     }
 * }
 * }</pre>
 *
 * <p>The handlers are never called: the command line builds the bus to read its {@code admin().topology()} and its
 * message types, and never starts it. Sharing the method the service uses to build its own bus keeps the two from
 * drifting apart.
 */
@FunctionalInterface
public interface ServicePlan {

    /**
     * Sets on the builder everything the service sets but the connection (which the command line sets from its
     * options): organization, service, subscriptions, registered types, retry policy, queue type, TTLs. Must not open
     * connections or start anything.
     *
     * @param bus a builder with the command line's connection settings
     * @return the builder (or another one it returned)
     */
    RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder bus);
}
