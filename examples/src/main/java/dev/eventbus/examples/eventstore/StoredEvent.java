package dev.eventbus.examples.eventstore;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored message. Immutable.
 *
 * @param offset     its place in the store: 1, 2, 3... in the order the store received them
 * @param messageId  the message id (unique in the store)
 * @param name       the message name, e.g. {@code object.created}
 * @param version    the message version
 * @param kind       {@code domain_event} or {@code command}, as on the wire
 * @param occurredOn when it happened
 * @param body       the petisco JSON envelope
 */
public record StoredEvent(long offset, String messageId, String name, int version, String kind, Instant occurredOn,
                          String body) {

    public StoredEvent {
        if (offset < 1) {
            throw new IllegalArgumentException("offset " + offset + " is not valid: offsets start at 1");
        }
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredOn, "occurredOn");
        Objects.requireNonNull(body, "body");
    }
}
