package dev.eventbus.spring.boot;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code eventbus.transport} binds to one transport (default {@code rabbitmq}). Bound as the properties
 * are, so {@code in-memory}, {@code in_memory} and {@code IN_MEMORY} all mean the in-memory bus, and a value that is no
 * transport fails the binding with the list of transports instead of silently matching none.
 */
abstract class TransportCondition extends SpringBootCondition {

    private final EventBusProperties.Transport transport;

    TransportCondition(EventBusProperties.Transport transport) {
        this.transport = transport;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        EventBusProperties.Transport configured = Binder.get(context.getEnvironment())
                .bind("eventbus.transport", EventBusProperties.Transport.class).orElse(EventBusProperties.Transport.RABBITMQ);
        String message = "eventbus.transport is " + configured;
        return configured == transport ? ConditionOutcome.match(message) : ConditionOutcome.noMatch(message);
    }

    /** {@code eventbus.transport=rabbitmq}, or not set. */
    static final class RabbitMq extends TransportCondition {
        RabbitMq() {
            super(EventBusProperties.Transport.RABBITMQ);
        }
    }

    /** {@code eventbus.transport=in-memory}. */
    static final class InMemory extends TransportCondition {
        InMemory() {
            super(EventBusProperties.Transport.IN_MEMORY);
        }
    }
}
