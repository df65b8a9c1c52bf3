package dev.eventbus.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Published when a handler {@link Subscription#publishingFailures() that asks for it} dead-letters a message, so that
 * another service can react (alert, compensate, open a ticket), as MassTransit's {@code Fault<T>}. One event type for
 * every failed message, named {@code message.failed} (routing key {@code <org>.<service>.1.event.message_failed} on
 * RabbitMQ): one subscription sees the failures of every message type, and {@link #name()} tells which failed.
 *
 * @param messageId        the failed message's id
 * @param name             its name, e.g. {@code user.created}
 * @param version          its version
 * @param handler          the handler that dead-lettered it
 * @param queue            the handler's queue
 * @param reason           why, a {@link DeadLetterReason#wireValue()} such as {@code max_retries_exceeded}
 * @param attempts         how many times the handler ran
 * @param exceptionClass   the class of the last failure
 * @param exceptionMessage its message, at most {@value DeadLetter#MAX_EXCEPTION_MESSAGE} characters, or null
 * @param failedAt         when, ISO-8601 UTC
 */
@MessageName("message.failed")
public record MessageFailed(String messageId, String name, int version, String handler, String queue, String reason,
                            int attempts, String exceptionClass, @Nullable String exceptionMessage, String failedAt)
        implements Event {

    public MessageFailed {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(exceptionClass, "exceptionClass");
        Objects.requireNonNull(failedAt, "failedAt");
    }

    /** The event for a message dead-lettered by a handler, now. */
    public static MessageFailed of(Message<?> message, String handler, String queue, DeadLetterReason reason, int attempts,
                                   Throwable failure) {
        return new MessageFailed(message.id(), message.name(), message.version(), handler, queue, reason.wireValue(), attempts,
                failure.getClass().getName(), DeadLetter.truncate(failure.getMessage()), java.time.Instant.now().toString());
    }
}
