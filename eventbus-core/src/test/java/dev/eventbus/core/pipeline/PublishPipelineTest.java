package dev.eventbus.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.Event;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageKind;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.core.MessageValidator;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The routing data the pipeline names once per payload class: the same as the convention's, whatever comes first. */
class PublishPipelineTest {

    record UserCreated(String userId) implements Event { }

    private final Convention convention = Convention.of("alice", "petisco");
    private final PublishPipeline pipeline = new PublishPipeline(convention,
            new MessageCodec(new MessageRegistry().register(UserCreated.class)), MessageValidator.NONE);

    /** A payload of one class published under an explicit name and version. */
    private static Message<UserCreated> named(String name, int version) {
        return new Message<>(UUID.randomUUID().toString(), name, version, MessageKind.DOMAIN_EVENT, Instant.now(),
                new UserCreated("u-1"), Map.of());
    }

    @Test
    void namesTheExchangeAndRoutingKeyAsTheConventionDoesForEveryMessageOfAType() {
        for (int i = 0; i < 3; i++) {
            Outgoing outgoing = pipeline.prepare(Message.of(new UserCreated("u-" + i)));
            assertEquals(convention.mainExchange(), outgoing.exchange());
            assertEquals(convention.routingKey(Message.of(new UserCreated("x"))), outgoing.routingKey());
        }
    }

    @Test
    void namesAgainWhenOnePayloadClassCarriesAnotherNameOrVersion() {
        assertEquals("alice.petisco.1.event.user_created", pipeline.prepare(named("user.created", 1)).routingKey());
        assertEquals("alice.petisco.2.event.user_created", pipeline.prepare(named("user.created", 2)).routingKey());
        assertEquals("alice.petisco.1.event.order_placed", pipeline.prepare(named("order.placed", 1)).routingKey());
        assertEquals("alice.petisco.1.event.user_created", pipeline.prepare(named("user.created", 1)).routingKey());
    }

    @Test
    void aNameThatCannotBePartOfARoutingKeyIsRefusedEveryTime() {
        pipeline.prepare(named("user.created", 1));
        for (int i = 0; i < 2; i++) {
            assertThrows(ConfigurationException.class, () -> pipeline.prepare(named("user created!", 1)));
        }
    }
}
