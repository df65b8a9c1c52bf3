package dev.eventbus.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.eventbus.core.Convention;
import dev.eventbus.core.Event;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import java.util.List;
import org.junit.jupiter.api.Test;

class SingleActiveConsumerTopologyTest {

    record UserCreated(String userId) implements Event {
    }

    private static final Convention CONVENTION = Convention.of("alice", "petisco");
    private static final String QUEUE = "alice.petisco.1.event.user_created.send_mail_handler";

    private static Topology plan(QueueType type, Subscription subscription) {
        return Topology.plan(CONVENTION, List.of(subscription), new Topology.Options(type, 10, null, RetryPolicy.DEFAULT, false));
    }

    @Test
    void aSingleActiveConsumerHandlerQueueCarriesTheArgumentAndItsRetryAndDeadLetterQueuesDoNot() {
        for (QueueType type : QueueType.values()) {
            Topology topology = plan(type, Subscription.of(UserCreated.class, "send_mail_handler", m -> { })
                    .withSingleActiveConsumer());
            assertEquals(Boolean.TRUE, topology.queue(QUEUE).orElseThrow().arguments().get(Topology.SINGLE_ACTIVE_CONSUMER),
                    type + ": " + topology.queue(QUEUE));
            assertFalse(topology.queue("retry." + QUEUE).orElseThrow().arguments().containsKey(Topology.SINGLE_ACTIVE_CONSUMER));
            assertFalse(topology.queue("dead_letter." + QUEUE).orElseThrow().arguments()
                    .containsKey(Topology.SINGLE_ACTIVE_CONSUMER));
        }
    }

    @Test
    void aQueueWithoutItHasNoSuchArgument() {
        Topology topology = plan(QueueType.CLASSIC, Subscription.of(UserCreated.class, "send_mail_handler", m -> { }));
        assertFalse(topology.queue(QUEUE).orElseThrow().arguments().containsKey(Topology.SINGLE_ACTIVE_CONSUMER));
    }
}
