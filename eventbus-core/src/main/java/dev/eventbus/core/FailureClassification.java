package dev.eventbus.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which handler failures are worth retrying, in resilience4j's terms ({@code retryExceptions} /
 * {@code ignoreExceptions}). Immutable and thread-safe.
 *
 * <p>A failure is retried when it matches one of the {@link #retryOn retry-on} rules (or there are none) and none of the
 * {@link #ignore ignore} rules. A failure that is not retried is <b>dead-lettered at once</b> with the reason
 * {@link DeadLetterReason#NON_RETRYABLE}, exactly like a {@link NonRetryableException}: "ignore" means "do not retry",
 * never "acknowledge and drop", so a misclassified failure is still in the dead letters to reprocess. A class rule
 * matches the failure's class and its subclasses (not its causes); a predicate sees the failure itself.
 *
 * <p>Set one bus-wide ({@code builder.failureClassification(...)}) and one per subscription
 * ({@link Subscription#withFailureClassification}): a failure is retried only if both retry it. Whatever the rules,
 * {@link NonRetryableException} dead-letters at once, and decoding and schema failures are final before the handler
 * runs.
 *
 * <pre>{@code
 * FailureClassification.retryingAll()
 *         .retryOn(IOException.class, TimeoutException.class)
 *         .ignore(IllegalArgumentException.class)
 *         .ignore(e -> e.getMessage() != null && e.getMessage().contains("duplicate key"));
 * }</pre>
 */
public final class FailureClassification {

    private static final FailureClassification ALL = new FailureClassification(List.of(), List.of());

    private final List<Predicate<Throwable>> retryOn;
    private final List<Predicate<Throwable>> ignore;

    private FailureClassification(List<Predicate<Throwable>> retryOn, List<Predicate<Throwable>> ignore) {
        this.retryOn = List.copyOf(retryOn);
        this.ignore = List.copyOf(ignore);
    }

    /** Every failure is retried (but {@link NonRetryableException}): the default. */
    public static FailureClassification retryingAll() {
        return ALL;
    }

    /** A copy that retries failures of these classes (or subclasses); once any retry-on rule exists, only matches are retried. */
    @SafeVarargs
    public final FailureClassification retryOn(Class<? extends Throwable>... types) {
        return new FailureClassification(plus(retryOn, classes(types)), ignore);
    }

    /** A copy that retries failures the predicate accepts; once any retry-on rule exists, only matches are retried. */
    public FailureClassification retryOn(Predicate<Throwable> predicate) {
        return new FailureClassification(plus(retryOn, Objects.requireNonNull(predicate, "predicate")), ignore);
    }

    /** A copy that never retries failures of these classes (or subclasses): they are dead-lettered at once. */
    @SafeVarargs
    public final FailureClassification ignore(Class<? extends Throwable>... types) {
        return new FailureClassification(retryOn, plus(ignore, classes(types)));
    }

    /** A copy that never retries failures the predicate accepts: they are dead-lettered at once. */
    public FailureClassification ignore(Predicate<Throwable> predicate) {
        return new FailureClassification(retryOn, plus(ignore, Objects.requireNonNull(predicate, "predicate")));
    }

    /**
     * Whether a handler failure is worth retrying by these rules. A rule that throws counts as not matching.
     */
    public boolean retries(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        for (Predicate<Throwable> rule : ignore) {
            if (test(rule, failure)) {
                return false;
            }
        }
        if (retryOn.isEmpty()) {
            return true;
        }
        for (Predicate<Throwable> rule : retryOn) {
            if (test(rule, failure)) {
                return true;
            }
        }
        return false;
    }

    private static boolean test(Predicate<Throwable> rule, Throwable failure) {
        try {
            return rule.test(failure);
        } catch (RuntimeException broken) {
            return false;
        }
    }

    private static Predicate<Throwable> classes(Class<? extends Throwable>[] types) {
        List<Class<? extends Throwable>> list = List.of(types);
        if (list.isEmpty()) {
            throw new ConfigurationException("name at least one exception class");
        }
        return failure -> {
            for (Class<? extends Throwable> type : list) {
                if (type.isInstance(failure)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static List<Predicate<Throwable>> plus(List<Predicate<Throwable>> rules, Predicate<Throwable> rule) {
        List<Predicate<Throwable>> copy = new ArrayList<>(rules);
        copy.add(rule);
        return copy;
    }

    @Override
    public String toString() {
        return "FailureClassification[" + retryOn.size() + " retry-on rule(s), " + ignore.size() + " ignore rule(s)]";
    }
}
