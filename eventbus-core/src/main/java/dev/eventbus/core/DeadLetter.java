package dev.eventbus.core;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message that a handler gave up on, with why. Immutable.
 *
 * @param body             the message body exactly as received (may not be valid JSON)
 * @param handler          the handler name, e.g. {@code send_mail_handler}
 * @param queue            the handler's queue (on the in-memory bus, the queue it would have on a broker)
 * @param routingKey       the routing key the message was published with
 * @param reason           why it was dead-lettered
 * @param attempts         how many times the handler ran (0 if the message never reached it)
 * @param exceptionClass   the class of the last failure
 * @param exceptionMessage the message of the last failure, truncated to {@value #MAX_EXCEPTION_MESSAGE} characters
 * @param deadLetteredAt   when it was dead-lettered; null when the writer recorded no time (a petisco consumer)
 */
public record DeadLetter(byte[] body, String handler, String queue, String routingKey, DeadLetterReason reason,
                         int attempts, @Nullable String exceptionClass, @Nullable String exceptionMessage,
                         @Nullable Instant deadLetteredAt) {

    /** Exception messages are cut to this many characters, so headers stay small. */
    public static final int MAX_EXCEPTION_MESSAGE = 1000;

    public DeadLetter {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(reason, "reason");
        body = body.clone();
        exceptionMessage = truncate(exceptionMessage);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** Cuts a failure's message to {@value #MAX_EXCEPTION_MESSAGE} characters, marking the cut. */
    public static String truncate(String text) {
        if (text == null || text.length() <= MAX_EXCEPTION_MESSAGE) {
            return text;
        }
        return text.substring(0, MAX_EXCEPTION_MESSAGE - 3) + "...";
    }

    @Override
    public String toString() {
        return "DeadLetter[handler=" + handler + ", queue=" + queue + ", reason=" + reason.wireValue()
                + ", attempts=" + attempts + ", exception=" + exceptionClass + ": " + exceptionMessage + "]";
    }
}
