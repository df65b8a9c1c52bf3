package dev.eventbus.testkit.contract;

import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a contract scenario asks of a bus, in terms every bus has: its service (the organization is the test's own),
 * its handlers, the default retry policy, handler threads, validator and stop timeout. Immutable.
 *
 * @param service        the service, e.g. {@code billing}
 * @param subscriptions  its handlers
 * @param retryPolicy    the policy of handlers without their own
 * @param handlerThreads threads running handlers
 * @param validator      checks messages on publish and on delivery
 * @param stopTimeout    how long stop() waits for running handlers
 * @param observer       observes the bus ({@link EventBusObserver#NONE} for none)
 */
public record BusSpec(String service, List<Subscription> subscriptions, RetryPolicy retryPolicy, int handlerThreads,
                      MessageValidator validator, Duration stopTimeout, EventBusObserver observer) {

    public BusSpec {
        Objects.requireNonNull(service, "service");
        subscriptions = List.copyOf(subscriptions);
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        Objects.requireNonNull(observer, "observer");
    }

    /** A bus of a service with these handlers: 3 retries 50 ms apart, one handler thread, no validator, 5 s to stop. */
    public static BusSpec of(String service, Subscription... subscriptions) {
        return new BusSpec(service, List.of(subscriptions), RetryPolicy.of(3, Duration.ofMillis(50)), 1, MessageValidator.NONE,
                Duration.ofSeconds(5), EventBusObserver.NONE);
    }

    /** A copy with this default retry policy. */
    public BusSpec withRetry(RetryPolicy policy) {
        return new BusSpec(service, subscriptions, policy, handlerThreads, validator, stopTimeout, observer);
    }

    /** A copy with this many handler threads. */
    public BusSpec withHandlerThreads(int threads) {
        return new BusSpec(service, subscriptions, retryPolicy, threads, validator, stopTimeout, observer);
    }

    /** A copy with this validator. */
    public BusSpec withValidator(MessageValidator messageValidator) {
        return new BusSpec(service, subscriptions, retryPolicy, handlerThreads, messageValidator, stopTimeout, observer);
    }

    /** A copy with this stop timeout. */
    public BusSpec withStopTimeout(Duration timeout) {
        return new BusSpec(service, subscriptions, retryPolicy, handlerThreads, validator, timeout, observer);
    }

    /** A copy observed by this observer. */
    public BusSpec withObserver(EventBusObserver busObserver) {
        return new BusSpec(service, subscriptions, retryPolicy, handlerThreads, validator, stopTimeout, busObserver);
    }
}
