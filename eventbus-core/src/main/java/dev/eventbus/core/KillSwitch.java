package dev.eventbus.core;

import java.time.Duration;
import java.util.Objects;

/**
 * A handler's circuit breaker: when too many of its recent attempts fail (its database or mail server is down), the
 * bus stops consuming its queues for a cool-down instead of burning every message's retries into the dead letters.
 * Immutable.
 *
 * <p>The bus counts the outcome of the handler's last {@code window} attempts (successes, and failures that would be
 * retried; final failures such as undecodable bodies do not count). Once at least {@code minimumAttempts} are counted
 * and the failure rate reaches {@code failureRateThreshold}, the switch trips: the failing delivery is set aside without
 * counting an attempt and never dead-lettered (on RabbitMQ it waits one retry delay with its counters unchanged; the
 * in-memory bus holds it in its queue), consumption of the handler's queues stops, and {@link EventBus#health()} reports
 * it {@link HandlerStatus.State#SUSPENDED}. After {@code coolDown} the bus consumes again, half-open (on RabbitMQ with a
 * prefetch of 1): the next attempt that succeeds closes the switch (the window starts empty), the next that fails trips
 * it again. Deliveries that fail while it is tripped are set aside the same way.
 *
 * <pre>{@code
 * Subscription.of(UserCreated.class, "send_mail", mailer).withKillSwitch(KillSwitch.of(0.5, 20, Duration.ofSeconds(30)));
 * }</pre>
 *
 * @param failureRateThreshold trips at this share of failed attempts, over 0 and at most 1 (0.5: half)
 * @param window               how many of the latest attempts count, 2 to 1000
 * @param minimumAttempts      no tripping before this many attempts are counted, 1 to {@code window}
 * @param coolDown             how long consumption stops, 10 ms to 1 hour
 */
public record KillSwitch(double failureRateThreshold, int window, int minimumAttempts, Duration coolDown) {

    public KillSwitch {
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 1)) {
            throw new ConfigurationException("kill switch failure rate threshold " + failureRateThreshold
                    + " must be over 0 and at most 1 (0.5 trips at half the attempts failing)");
        }
        if (window < 2 || window > 1000) {
            throw new ConfigurationException("kill switch window " + window + " must be 2 to 1000 attempts");
        }
        if (minimumAttempts < 1 || minimumAttempts > window) {
            throw new ConfigurationException("kill switch minimum attempts " + minimumAttempts + " must be 1 to the window ("
                    + window + ")");
        }
        Objects.requireNonNull(coolDown, "coolDown");
        if (coolDown.toMillis() < 10 || coolDown.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigurationException("kill switch cool-down " + coolDown + " must be 10 ms to 1 hour");
        }
    }

    /** Trips at {@code failureRateThreshold} of the last {@code window} attempts (counting from a full window). */
    public static KillSwitch of(double failureRateThreshold, int window, Duration coolDown) {
        return new KillSwitch(failureRateThreshold, window, window, coolDown);
    }
}
