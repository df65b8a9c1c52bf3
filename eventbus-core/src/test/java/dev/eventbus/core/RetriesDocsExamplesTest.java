package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The code of docs/retries.md, compiled and run on the in-memory bus. The docs include the regions between the
 * {@code tag::} and {@code end::} markers; after editing one, run {@code ./mvnw -q -pl docs test -Deventbus.docs.update=true}.
 */
class RetriesDocsExamplesTest {

    record UserCreated(String userId, String name) implements Event { }

    @Test
    void policiesLayOutTheirDelays() {
        // tag::policies[]
        RetryPolicy fixed = RetryPolicy.of(5, Duration.ofSeconds(5));            // petisco's retry queue: the default
        RetryPolicy ladder = RetryPolicy.ladder(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10));
        RetryPolicy backoff = RetryPolicy.exponential(8, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5))
                .withJitter(0.2);                                                 // 80 % to 120 % of each delay
        RetryPolicy impatient = RetryPolicy.ladder(6, Duration.ofSeconds(30))
                .withImmediateRetries(2, Duration.ofMillis(50), Duration.ofSeconds(1));
        // end::policies[]
        assertEquals(Duration.ofSeconds(5), fixed.delay(3));
        assertEquals(Duration.ofMinutes(10), ladder.delay(3));
        assertEquals(Duration.ofSeconds(4), backoff.delay(3));
        assertEquals(3, ladder.maxRetries());
        assertTrue(impatient.immediateRetries().isPresent());
    }

    @Test
    void classificationKillSwitchAndFailureEvents() throws InterruptedException {
        List<String> sent = new CopyOnWriteArrayList<>();
        List<MessageFailed> failures = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch alerted = new java.util.concurrent.CountDownLatch(1);
        java.util.function.Consumer<MessageFailed> alert = failure -> {
            failures.add(failure);
            alerted.countDown();
        };
        MessageHandler<UserCreated> sendMail = message -> {
            if (message.payload().name().isEmpty()) {
                throw new IllegalArgumentException("no name to greet");
            }
            sent.add(message.payload().userId());
        };
        // tag::classification[]
        InMemoryEventBus bus = InMemoryEventBus.builder()
                // bus-wide: a programming error is not worth retrying anywhere
                .failureClassification(FailureClassification.retryingAll().ignore(IllegalArgumentException.class))
                .build();
        bus.subscribe(Subscription.of(UserCreated.class, "send_mail_handler", sendMail)
                .withRetry(RetryPolicy.ladder(Duration.ofMillis(10), Duration.ofMillis(20)))
                // this handler: only I/O and timeouts are worth retrying
                .withFailureClassification(FailureClassification.retryingAll()
                        .retryOn(IOException.class, UncheckedIOException.class, TimeoutException.class))
                // the mail server is down: stop consuming for 30 s rather than burn every message's retries
                .withKillSwitch(KillSwitch.of(0.5, 20, Duration.ofSeconds(30)))
                // tell whoever listens when a message ends in the dead letters
                .publishingFailures());
        // end::classification[]
        // tag::failure-event[]
        bus.subscribe(Subscription.of(MessageFailed.class, "alert_on_failure", message -> alert.accept(message.payload())));
        // end::failure-event[]
        bus.start();
        try {
            bus.publish(new UserCreated("u-1", "Ada"));
            bus.publish(new UserCreated("u-2", ""));
            assertTrue(alerted.await(10, java.util.concurrent.TimeUnit.SECONDS), "a failure event within 10 s");
            assertTrue(bus.awaitIdle(Duration.ofSeconds(10)), "the bus idle within 10 s");
            assertEquals(List.of("u-1"), sent);
            assertEquals(1, failures.size(), failures.toString());
            assertEquals(DeadLetterReason.NON_RETRYABLE.wireValue(), failures.get(0).reason());
            assertEquals(1, failures.get(0).attempts());
        } finally {
            bus.stop();
        }
    }
}
