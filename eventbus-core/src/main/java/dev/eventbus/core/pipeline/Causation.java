package dev.eventbus.core.pipeline;

import dev.eventbus.core.Message;
import org.jspecify.annotations.Nullable;

/**
 * The message a handler thread is handling, so that what its handler publishes carries the incoming message's
 * correlation id and its id as causation id. Set by {@link DeliveryPipeline} around each handler call.
 */
final class Causation {

    private static final ThreadLocal<Message<?>> HANDLING = new ThreadLocal<>();

    private Causation() {
    }

    static @Nullable Message<?> current() {
        return HANDLING.get();
    }

    static void set(@Nullable Message<?> message) {
        if (message == null) {
            HANDLING.remove();
        } else {
            HANDLING.set(message);
        }
    }

    /** The message with correlation and causation ids from the one being handled on this thread, where it has none. */
    static Message<?> correlate(Message<?> message) {
        Message<?> cause = HANDLING.get();
        if (cause == null || message.meta().containsKey(Message.CAUSATION_ID)) {
            return message;
        }
        Message<?> caused = message.withMeta(Message.CAUSATION_ID, cause.id());
        if (!message.meta().containsKey(Message.CORRELATION_ID)) {
            caused = caused.withMeta(Message.CORRELATION_ID, cause.correlationId().orElse(cause.id()));
        }
        return caused;
    }
}
