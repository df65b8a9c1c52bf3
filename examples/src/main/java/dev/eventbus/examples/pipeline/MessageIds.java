package dev.eventbus.examples.pipeline;

import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Message ids derived from what a message is about, so that a handler that runs twice for one input (a retry,
 * a redelivery) publishes the same ids again and every consumer can drop the copy by id. Stateless.
 */
final class MessageIds {

    private MessageIds() {
    }

    /** A new message of the payload whose id is a name-based UUID of the message name and the key. */
    static <T> Message<T> message(T payload, String key) {
        @SuppressWarnings("unchecked")
        MessageType<T> type = MessageType.of((Class<T>) payload.getClass());
        Message<T> fresh = Message.of(type, payload);
        String id = UUID.nameUUIDFromBytes((type.name() + "/" + type.version() + "/" + key).getBytes(StandardCharsets.UTF_8))
                .toString();
        return new Message<>(id, fresh.name(), fresh.version(), fresh.kind(), fresh.occurredOn(), payload, fresh.meta());
    }
}
