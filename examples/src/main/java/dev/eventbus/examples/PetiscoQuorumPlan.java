package dev.eventbus.examples;

import dev.eventbus.cli.ServicePlan;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;

/**
 * The example service of {@link PetiscoPlan} moved to quorum queues: the plan {@code eventbus migrate} moves its queues
 * to, with their messages (docs/cli.md).
 */
// tag::plan[]
public final class PetiscoQuorumPlan implements ServicePlan {

    /** The command line creates it. */
    public PetiscoQuorumPlan() {
    }

    @Override
    public RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder bus) {
        return new PetiscoPlan().configure(bus).queueType(QueueType.QUORUM);
    }
}
// end::plan[]
