package dev.eventbus.examples;

import dev.eventbus.core.Message;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.NonRetryableException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Sends a welcome mail on {@link UserCreated}, and fails now and then so retries and dead letters can be watched:
 * the first attempt fails for users whose name starts with "R" (retried, then handled), every attempt fails for
 * "Mallory" (dead-lettered after the last retry), and a user without a name is rejected at once
 * (non-retryable). Its name, derived from the class, is {@code send_mail_handler}.
 */
public final class SendMailHandler implements MessageHandler<UserCreated> {

    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Consumer<String> report;

    /** A handler that reports what it does to {@code report} (the examples print it). */
    public SendMailHandler(Consumer<String> report) {
        this.report = report;
    }

    @Override
    public void handle(Message<UserCreated> message) {
        UserCreated user = message.payload();
        int attempt = attempts.computeIfAbsent(message.id(), id -> new AtomicInteger()).incrementAndGet();
        if (user.name() == null || user.name().isBlank()) {
            failed.incrementAndGet();
            report.accept("send_mail_handler rejects " + user.userId() + ": no name to greet (not retried)");
            throw new NonRetryableException("user " + user.userId() + " has no name to greet");
        }
        if (user.name().equals("Mallory") || user.name().startsWith("R") && attempt == 1) {
            failed.incrementAndGet();
            report.accept("send_mail_handler fails for " + user.name() + " (attempt " + attempt + ")");
            throw new IllegalStateException("mail server refused the welcome mail for " + user.name());
        }
        sent.incrementAndGet();
        report.accept("send_mail_handler sent a welcome mail to " + user.name() + " (attempt " + attempt + ")");
    }

    /** Welcome mails sent (successful attempts). */
    public int sent() {
        return sent.get();
    }

    /** Failed attempts, retried or not. */
    public int failed() {
        return failed.get();
    }

    /** How many times the handler ran for a message id. */
    public int attempts(String messageId) {
        AtomicInteger count = attempts.get(messageId);
        return count == null ? 0 : count.get();
    }
}
