package dev.eventbus.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a failed message is retried and how long it waits between attempts. Immutable.
 *
 * <p>With {@code maxRetries} N a handler runs at most N + 1 times for one message; after the last
 * failure the message goes to the handler's dead letters. On RabbitMQ the delay is the retry queue's
 * {@code x-message-ttl}, so it is fixed per handler queue.
 *
 * @param maxRetries retries after the first attempt, 0 or more
 * @param delay      wait before each retry, at least 1 ms
 */
public record RetryPolicy(int maxRetries, Duration delay) {

    /** petisco's defaults: 5 retries, 5 seconds apart. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(5));

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new ConfigurationException("maxRetries " + maxRetries + " is negative: use 0 for no retries");
        }
        Objects.requireNonNull(delay, "delay");
        if (delay.toMillis() < 1) {
            throw new ConfigurationException("retry delay " + delay + " is under 1 ms: RabbitMQ's x-message-ttl counts whole milliseconds");
        }
        if (delay.toMillis() > Integer.MAX_VALUE) {
            throw new ConfigurationException("retry delay " + delay + " is over " + Integer.MAX_VALUE
                    + " ms, the most x-message-ttl can hold as a 32-bit integer");
        }
    }

    /** A policy with {@code maxRetries} retries, {@code delay} apart. */
    public static RetryPolicy of(int maxRetries, Duration delay) {
        return new RetryPolicy(maxRetries, delay);
    }

    /** No retries: the first failure dead-letters the message. */
    public static RetryPolicy none() {
        return new RetryPolicy(0, Duration.ofSeconds(5));
    }

    /** The delay in whole milliseconds, as the broker's {@code x-message-ttl} takes it. */
    public int delayMillis() {
        return (int) delay.toMillis();
    }
}
