package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.pipeline.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bounds of immediate retries: the cap stops them early, and what is not retryable is not retried in process. */
class ImmediateRetriesTest {

    record TaskCreated(String taskId) implements Event { }

    private static final class FirstOutcome implements EventBusObserver {
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

        @Override
        public void delivered(Endpoint endpoint, Outcome delivered, Duration duration) {
            outcome.complete(delivered);
        }
    }

    private static Outcome firstOutcome(Subscription subscription) throws Exception {
        FirstOutcome observer = new FirstOutcome();
        InMemoryEventBus bus = InMemoryEventBus.builder().observer(observer).subscribe(subscription).build();
        bus.start();
        try {
            bus.publish(new TaskCreated("t-1"));
            return observer.outcome.get(10, TimeUnit.SECONDS);
        } finally {
            bus.stop();
        }
    }

    @Test
    void noImmediateRetryStartsOnceTheCapHasPassed() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Outcome outcome = firstOutcome(Subscription.handling(TaskCreated.class, "capped", (message, delivery) -> {
            attempts.add(delivery.attempt());
            throw new IllegalStateException("down");
        }).withRetry(RetryPolicy.ladder(20, Duration.ofSeconds(30)).withImmediateRetries(10, Duration.ofMillis(100),
                Duration.ofMillis(250))));

        assertTrue(outcome instanceof Outcome.Retry, outcome.toString());
        int ran = ((Outcome.Retry) outcome).attempt();
        assertTrue(ran >= 2 && ran <= 3, "with a 100 ms backoff a 250 ms cap allows at most 2 immediate retries; ran " + ran);
        assertEquals(ran, attempts.size());
        assertEquals(Duration.ofSeconds(30), ((Outcome.Retry) outcome).delay(), "then the ladder's first step");
    }

    @Test
    void aFailureThatIsNotRetriedIsNotRetriedInProcessEither() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Outcome outcome = firstOutcome(Subscription.handling(TaskCreated.class, "strict", (message, delivery) -> {
            attempts.add(delivery.attempt());
            throw new IllegalArgumentException("bad input");
        }).withRetry(RetryPolicy.ladder(5, Duration.ofSeconds(30)).withImmediateRetries(3, Duration.ZERO, Duration.ofSeconds(1)))
                .withFailureClassification(FailureClassification.retryingAll().ignore(IllegalArgumentException.class)));

        assertTrue(outcome instanceof Outcome.DeadLettered dead && dead.reason() == DeadLetterReason.NON_RETRYABLE,
                outcome.toString());
        assertEquals(List.of(1), attempts);
    }

    @Test
    void immediateRetriesStopAtMaxRetries() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Outcome outcome = firstOutcome(Subscription.handling(TaskCreated.class, "bounded", (message, delivery) -> {
            attempts.add(delivery.attempt());
            throw new IllegalStateException("down");
        }).withRetry(RetryPolicy.ladder(2, Duration.ofSeconds(30)).withImmediateRetries(5, Duration.ZERO, Duration.ofSeconds(1))));

        assertTrue(outcome instanceof Outcome.DeadLettered dead && dead.reason() == DeadLetterReason.MAX_RETRIES_EXCEEDED
                && dead.attempts() == 3, outcome.toString());
        assertEquals(List.of(1, 2, 3), attempts, "maxRetries 2 bounds the immediate retries too");
    }
}
