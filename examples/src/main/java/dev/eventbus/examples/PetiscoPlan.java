package dev.eventbus.examples;

import dev.eventbus.cli.ServicePlan;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;

/**
 * The example service (organization {@code alice}, service {@code petisco}) for the {@code eventbus} command line: the
 * same settings and subscriptions as the service's own bus, through the method both use.
 *
 * <pre>
 * java -jar eventbus-cli/target/eventbus.jar topology --plan dev.eventbus.examples.PetiscoPlan --classpath examples/target/classes
 * </pre>
 */
// tag::plan[]
public final class PetiscoPlan implements ServicePlan {

    /** The command line creates it. */
    public PetiscoPlan() {
    }

    @Override
    public RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder bus) {
        return ExampleService.configure(bus, ExampleService.SERVICE, new SendMailHandler(line -> { }), line -> { });
    }
}
// end::plan[]
