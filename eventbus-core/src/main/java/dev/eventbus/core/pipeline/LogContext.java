package dev.eventbus.core.pipeline;

import dev.eventbus.core.Delivery;
import dev.eventbus.core.Message;
import org.slf4j.MDC;

/**
 * The SLF4J MDC of a handler thread while its handler runs, so that every log line of the handler (and of the bus on
 * its behalf) names the message: {@value #MESSAGE_ID}, {@value #MESSAGE_NAME}, {@value #MESSAGE_VERSION},
 * {@value #HANDLER}, {@value #ATTEMPT} and {@value #CORRELATION_ID}. Removed when the handler returns.
 */
public final class LogContext {

    /** MDC key: the message id. */
    public static final String MESSAGE_ID = "eventbus.message_id";
    /** MDC key: the message name, e.g. {@code user.created}. */
    public static final String MESSAGE_NAME = "eventbus.message_name";
    /** MDC key: the message version. */
    public static final String MESSAGE_VERSION = "eventbus.message_version";
    /** MDC key: the handler name. */
    public static final String HANDLER = "eventbus.handler";
    /** MDC key: the attempt, 1 for the first delivery. */
    public static final String ATTEMPT = "eventbus.attempt";
    /** MDC key: the correlation id (the message's own id when it starts a conversation). */
    public static final String CORRELATION_ID = "eventbus.correlation_id";

    private LogContext() {
    }

    static void enter(Message<?> message, Delivery delivery) {
        MDC.put(MESSAGE_ID, message.id());
        MDC.put(MESSAGE_NAME, message.name());
        MDC.put(MESSAGE_VERSION, Integer.toString(message.version()));
        MDC.put(HANDLER, delivery.handler());
        MDC.put(ATTEMPT, Integer.toString(delivery.attempt()));
        MDC.put(CORRELATION_ID, message.correlationId().orElse(message.id()));
    }

    static void leave() {
        MDC.remove(MESSAGE_ID);
        MDC.remove(MESSAGE_NAME);
        MDC.remove(MESSAGE_VERSION);
        MDC.remove(HANDLER);
        MDC.remove(ATTEMPT);
        MDC.remove(CORRELATION_ID);
    }
}
