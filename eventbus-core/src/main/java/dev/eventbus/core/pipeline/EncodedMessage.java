package dev.eventbus.core.pipeline;

import dev.eventbus.core.MessageKind;
import java.time.Instant;
import java.util.Objects;

/**
 * A message already checked and encoded, kept apart from its Java payload: what a transactional outbox stores and later
 * sends, exactly as the bus would have sent it. Immutable (the body is not copied; nobody changes it).
 *
 * @param id         the message id (a UUID)
 * @param name       the message name, e.g. {@code user.created}
 * @param version    its version
 * @param kind       event or command
 * @param occurredOn when it happened
 * @param exchange   the exchange it is published to
 * @param routingKey its routing key
 * @param body       the encoded envelope
 */
public record EncodedMessage(String id, String name, int version, MessageKind kind, Instant occurredOn, String exchange,
                             String routingKey, byte[] body) {

    public EncodedMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredOn, "occurredOn");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(body, "body");
    }

    /** What {@link PublishPipeline#prepare} made of a message, without the payload. */
    public static EncodedMessage of(Outgoing outgoing) {
        var message = outgoing.message();
        return new EncodedMessage(message.id(), message.name(), message.version(), message.kind(), message.occurredOn(),
                outgoing.exchange(), outgoing.routingKey(), outgoing.body());
    }

    /** A short description for logs and errors: kind, name, version and id (never the body). */
    public String describe() {
        return kind.routingSegment() + " " + name + " v" + version + " (id " + id + ")";
    }
}
