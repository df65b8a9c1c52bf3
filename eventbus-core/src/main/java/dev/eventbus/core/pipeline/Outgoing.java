package dev.eventbus.core.pipeline;

import dev.eventbus.core.Message;
import java.util.Objects;

/**
 * A message ready to leave: checked, validated and encoded by {@link PublishPipeline}. Immutable (the body is not
 * copied; nobody changes it).
 *
 * @param message    the message
 * @param exchange   the exchange it is published to: the publishing service's main exchange
 * @param routingKey its routing key
 * @param body       the encoded envelope
 */
public record Outgoing(Message<?> message, String exchange, String routingKey, byte[] body) {
    public Outgoing {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(body, "body");
    }
}
