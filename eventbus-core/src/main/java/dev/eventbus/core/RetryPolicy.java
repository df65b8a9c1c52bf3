package dev.eventbus.core;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * How often a failed message is retried and how long it waits before each retry. Immutable and thread-safe.
 *
 * <p>With {@code maxRetries} N a handler runs at most N + 1 times for one message (immediate retries included); after
 * the last failure the message goes to the handler's dead letters. Three schedules:
 * <ul>
 *   <li>{@link #of(int, Duration) fixed}: the same delay before every retry. On RabbitMQ this is petisco's
 *       {@code retry.<queue>} with the delay as its {@code x-message-ttl}, so it is fixed per handler queue (the
 *       default, {@link #DEFAULT}, is petisco's: 5 retries, 5 s apart);</li>
 *   <li>{@link #ladder(Duration...) a ladder}: a delay per retry (10 s, 1 min, 10 min), the last repeated;</li>
 *   <li>{@link #exponential exponential backoff}: {@code initial * multiplier^(n-1)}, capped, optionally with
 *       {@link #withJitter jitter}.</li>
 * </ul>
 * On RabbitMQ ladders and backoff wait in delay queues the service shares, one per delay and named by it, so a
 * handler's schedule can change without deleting any queue (docs/retries.md).
 *
 * <p>{@link #withImmediateRetries} adds a few in-process attempts before each broker-delayed retry.
 *
 * <pre>{@code
 * RetryPolicy.of(5, Duration.ofSeconds(5));                                        // petisco's retry queue
 * RetryPolicy.ladder(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10));
 * RetryPolicy.exponential(8, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5)).withJitter(0.2);
 * }</pre>
 */
public final class RetryPolicy {

    /** How the delays of a policy are laid out. */
    public enum Schedule {
        /** One delay for every retry: petisco's retry queue on RabbitMQ. */
        FIXED,
        /** A delay per retry, the last one repeated. */
        LADDER,
        /** Exponential backoff with a cap, optionally jittered. */
        EXPONENTIAL
    }

    /**
     * In-process attempts before a broker-delayed retry: after a failure the handler runs again on the same thread,
     * {@code backoff} later, up to {@code attempts} times, but never starts one more once {@code cap} has passed since
     * the delivery's first attempt, so a failing message holds its place in the prefetch only briefly. Each counts as an
     * attempt (of {@code maxRetries}), and the handler sees it in {@link Delivery#attempt()}.
     *
     * @param attempts in-process retries after a failed delivery, 1 to 10
     * @param backoff  wait before each, 0 to 5 s
     * @param cap      no in-process retry starts later than this after the delivery's first attempt, up to 30 s
     */
    public record ImmediateRetries(int attempts, Duration backoff, Duration cap) {
        public ImmediateRetries {
            if (attempts < 1 || attempts > 10) {
                throw new ConfigurationException("immediate retries " + attempts + " must be 1 to 10: more belong on the broker, "
                        + "where they do not hold a delivery");
            }
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(cap, "cap");
            if (backoff.isNegative() || backoff.compareTo(Duration.ofSeconds(5)) > 0) {
                throw new ConfigurationException("immediate retry backoff " + backoff + " must be 0 to 5 s");
            }
            if (cap.isNegative() || cap.isZero() || cap.compareTo(Duration.ofSeconds(30)) > 0) {
                throw new ConfigurationException("immediate retry cap " + cap + " must be over 0 and at most 30 s: the "
                        + "delivery holds a place in the prefetch meanwhile");
            }
        }
    }

    /** How many distinct jitter levels a jittered delay takes: a bounded number of broker delay queues. */
    public static final int JITTER_LEVELS = 5;

    /** petisco's defaults: 5 retries, 5 seconds apart, on the handler's retry queue. */
    public static final RetryPolicy DEFAULT = of(5, Duration.ofSeconds(5));

    private final Schedule schedule;
    private final int maxRetries;
    private final List<Duration> delays;
    private final double multiplier;
    private final @Nullable Duration maxDelay;
    private final double jitter;
    private final @Nullable ImmediateRetries immediate;

    private RetryPolicy(Schedule schedule, int maxRetries, List<Duration> delays, double multiplier,
                        @Nullable Duration maxDelay, double jitter, @Nullable ImmediateRetries immediate) {
        if (maxRetries < 0) {
            throw new ConfigurationException("maxRetries " + maxRetries + " is negative: use 0 for no retries");
        }
        if (delays.isEmpty()) {
            throw new ConfigurationException("a retry ladder needs at least one delay");
        }
        delays.forEach(RetryPolicy::checkDelay);
        if (maxDelay != null) {
            checkDelay(maxDelay);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new ConfigurationException("jitter " + jitter + " must be at least 0 and under 1 (a fraction of the delay)");
        }
        this.schedule = schedule;
        this.maxRetries = maxRetries;
        this.delays = List.copyOf(delays);
        this.multiplier = multiplier;
        this.maxDelay = maxDelay;
        this.jitter = jitter;
        this.immediate = immediate;
    }

    private static void checkDelay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.toMillis() < 1) {
            throw new ConfigurationException("retry delay " + delay + " is under 1 ms: RabbitMQ's x-message-ttl counts whole milliseconds");
        }
        if (delay.toMillis() > Integer.MAX_VALUE) {
            throw new ConfigurationException("retry delay " + delay + " is over " + Integer.MAX_VALUE
                    + " ms, the most x-message-ttl can hold as a 32-bit integer");
        }
    }

    /** A fixed policy: {@code maxRetries} retries, {@code delay} apart (petisco's retry queue on RabbitMQ). */
    public static RetryPolicy of(int maxRetries, Duration delay) {
        return new RetryPolicy(Schedule.FIXED, maxRetries, List.of(Objects.requireNonNull(delay, "delay")), 1, null, 0, null);
    }

    /** No retries: the first failure dead-letters the message. */
    public static RetryPolicy none() {
        return of(0, Duration.ofSeconds(5));
    }

    /** A ladder with one retry per delay, in order: {@code ladder(10 s, 1 min, 10 min)} retries 3 times. */
    public static RetryPolicy ladder(Duration... delays) {
        return ladder(delays.length, delays);
    }

    /**
     * A ladder of {@code maxRetries} retries: retry n waits {@code delays[n-1]}, and every retry past the last step waits
     * the last delay. With one delay this is a fixed delay on the shared delay queues, which, unlike {@link #of}, can
     * change without a topology conflict.
     */
    public static RetryPolicy ladder(int maxRetries, Duration... delays) {
        return new RetryPolicy(Schedule.LADDER, maxRetries, Arrays.asList(delays.clone()), 1, null, 0, null);
    }

    /**
     * Exponential backoff: retry n waits {@code initial * multiplier^(n-1)}, at most {@code max} (as resilience4j's
     * {@code IntervalFunction.ofExponentialBackoff(initial, multiplier, max)}).
     *
     * @param multiplier at least 1
     */
    public static RetryPolicy exponential(int maxRetries, Duration initial, double multiplier, Duration max) {
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new ConfigurationException("backoff multiplier " + multiplier + " must be a finite number of at least 1");
        }
        checkDelay(initial);
        checkDelay(max);
        if (max.compareTo(initial) < 0) {
            throw new ConfigurationException("backoff cap " + max + " is under the initial delay " + initial);
        }
        return new RetryPolicy(Schedule.EXPONENTIAL, maxRetries, List.of(initial), multiplier, max, 0, null);
    }

    /**
     * A copy whose delays vary by up to {@code fraction} either way ({@code 0.2}: 80 % to 120 % of the delay, capped by
     * the backoff's maximum), drawn from {@value #JITTER_LEVELS} evenly spaced levels, so that the broker needs only a
     * bounded number of delay queues. Not for {@link Schedule#FIXED}, whose one retry queue has one TTL.
     *
     * @param fraction at least 0, under 1
     */
    public RetryPolicy withJitter(double fraction) {
        if (schedule == Schedule.FIXED && fraction != 0) {
            throw new ConfigurationException("a fixed retry delay is its retry queue's TTL and cannot be jittered: use "
                    + "RetryPolicy.ladder(" + maxRetries + ", " + delays.get(0) + ").withJitter(" + fraction + ")");
        }
        return new RetryPolicy(schedule, maxRetries, delays, multiplier, maxDelay, fraction, immediate);
    }

    /** A copy with in-process retries before each broker-delayed retry; see {@link ImmediateRetries}. */
    public RetryPolicy withImmediateRetries(int attempts, Duration backoff, Duration cap) {
        return new RetryPolicy(schedule, maxRetries, delays, multiplier, maxDelay, jitter,
                new ImmediateRetries(attempts, backoff, cap));
    }

    /** A copy with this many retries in all (immediate ones included), the same delays. */
    public RetryPolicy withMaxRetries(int retries) {
        return new RetryPolicy(schedule, retries, delays, multiplier, maxDelay, jitter, immediate);
    }

    /** How the delays are laid out. */
    public Schedule schedule() {
        return schedule;
    }

    /** Retries after the first attempt, immediate ones included. */
    public int maxRetries() {
        return maxRetries;
    }

    /** The delay before the first broker-delayed retry (for a fixed policy: before every retry). */
    public Duration delay() {
        return delays.get(0);
    }

    /** {@link #delay()} in whole milliseconds, as the broker's {@code x-message-ttl} takes it. */
    public int delayMillis() {
        return (int) delay().toMillis();
    }

    /** The jitter fraction; 0 for none. */
    public double jitter() {
        return jitter;
    }

    /** The in-process retries, if any. */
    public java.util.Optional<ImmediateRetries> immediateRetries() {
        return java.util.Optional.ofNullable(immediate);
    }

    /** Whether retries wait in petisco's per-handler retry queue (a {@link Schedule#FIXED} policy). */
    public boolean usesRetryQueue() {
        return schedule == Schedule.FIXED;
    }

    /**
     * The delay before broker-delayed retry {@code n} (1 for the first), without jitter: the ladder's step, or the
     * capped backoff.
     */
    public Duration delay(int n) {
        int step = Math.max(1, n);
        return switch (schedule) {
            case FIXED -> delays.get(0);
            case LADDER -> delays.get(Math.min(step, delays.size()) - 1);
            case EXPONENTIAL -> {
                double millis = delays.get(0).toMillis() * Math.pow(multiplier, step - 1);
                yield Duration.ofMillis((long) Math.min(millis, maxDelay.toMillis()));
            }
        };
    }

    /**
     * The delay before broker-delayed retry {@code n} with jitter applied: {@code random} in [0, 1) picks one of the
     * {@value #JITTER_LEVELS} levels between {@code (1 - jitter)} and {@code (1 + jitter)} times {@link #delay(int)},
     * capped by the backoff's maximum and at least 1 ms. Without jitter, {@link #delay(int)}.
     */
    public Duration delay(int n, double random) {
        Duration nominal = delay(n);
        if (jitter == 0) {
            return nominal;
        }
        int level = Math.min(JITTER_LEVELS - 1, Math.max(0, (int) (random * JITTER_LEVELS)));
        return jittered(nominal, level);
    }

    private Duration jittered(Duration nominal, int level) {
        double factor = 1 - jitter + 2 * jitter * level / (JITTER_LEVELS - 1);
        long millis = Math.max(1, Math.round(nominal.toMillis() * factor));
        if (maxDelay != null) {
            millis = Math.min(millis, maxDelay.toMillis());
        }
        return Duration.ofMillis(millis);
    }

    /**
     * Every delay a retry of this policy can wait, in milliseconds, ascending: the delay queues a broker needs for it.
     * For a fixed policy, its one delay.
     */
    public SortedSet<Integer> brokerDelays() {
        SortedSet<Integer> all = new TreeSet<>();
        int steps = switch (schedule) {
            case FIXED -> 1;
            case LADDER -> Math.min(Math.max(1, maxRetries), delays.size());
            case EXPONENTIAL -> Math.max(1, maxRetries);
        };
        for (int n = 1; n <= steps; n++) {
            Duration nominal = delay(n);
            if (jitter == 0) {
                all.add((int) nominal.toMillis());
            } else {
                for (int level = 0; level < JITTER_LEVELS; level++) {
                    all.add((int) jittered(nominal, level).toMillis());
                }
            }
            if (maxDelay != null && nominal.compareTo(maxDelay) >= 0 || schedule == Schedule.EXPONENTIAL && multiplier == 1) {
                break; // capped: every later retry waits the same
            }
        }
        return all;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RetryPolicy that && schedule == that.schedule && maxRetries == that.maxRetries
                && delays.equals(that.delays) && multiplier == that.multiplier && Objects.equals(maxDelay, that.maxDelay)
                && jitter == that.jitter && Objects.equals(immediate, that.immediate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schedule, maxRetries, delays, multiplier, maxDelay, jitter, immediate);
    }

    @Override
    public String toString() {
        String delaysText = switch (schedule) {
            case FIXED -> "delay=" + delays.get(0);
            case LADDER -> "ladder=" + delays;
            case EXPONENTIAL -> "initial=" + delays.get(0) + ", multiplier=" + multiplier + ", max=" + maxDelay;
        };
        return "RetryPolicy[" + schedule.name().toLowerCase(java.util.Locale.ROOT) + ", maxRetries=" + maxRetries + ", "
                + delaysText + (jitter == 0 ? "" : ", jitter=" + jitter) + (immediate == null ? "" : ", immediate=" + immediate)
                + "]";
    }
}
