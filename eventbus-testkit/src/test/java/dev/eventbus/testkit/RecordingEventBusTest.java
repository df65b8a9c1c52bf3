package dev.eventbus.testkit;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.Message;
import dev.eventbus.core.Subscription;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordingEventBusTest {

    private final RecordingEventBus bus = new RecordingEventBus();

    @Test
    void recordsPayloadsMessagesAndListsInPublishingOrder() {
        Message<UserCreated> explicit = Message.of(new UserCreated("u-2"));
        bus.publish(new UserCreated("u-1"));
        bus.publish(explicit);
        bus.publish(List.of(new UserDeleted("u-1"), Message.of(new UserCreated("u-3"))));
        bus.publishAsync(Message.of(new UserDeleted("u-9"))).join();

        assertEquals(5, bus.published().size());
        assertEquals("user.created", bus.published().get(0).name());
        assertEquals(explicit, bus.published().get(1));
        assertEquals(List.of("u-1", "u-2", "u-3"), bus.published(UserCreated.class).stream().map(m -> m.payload().userId()).toList());
    }

    @Test
    void assertPublishedReturnsTheFirstMatchingMessage() {
        bus.publish(new UserCreated("u-1"));
        bus.publish(new UserCreated("u-2"));

        Message<UserCreated> message = bus.assertPublished(UserCreated.class, event -> event.userId().equals("u-2"));

        assertEquals("u-2", message.payload().userId());
        assertEquals(1, message.version());
    }

    @Test
    void assertPublishedFailsListingWhatWasPublished() {
        Message<UserCreated> published = Message.of(new UserCreated("u-1"));
        bus.publish(published);

        AssertionError failure = assertThrows(AssertionError.class,
                () -> bus.assertPublished(UserCreated.class, event -> event.userId().equals("u-2")));

        assertEquals("expected a published UserCreated matching the condition; observed: none of the published messages matched:"
                + System.lineSeparator() + "  1. user.created v1 (event, id " + published.id() + "): UserCreated[userId=u-1]",
                failure.getMessage());
    }

    @Test
    void assertPublishedSaysNothingWasPublished() {
        AssertionError failure = assertThrows(AssertionError.class, () -> bus.assertPublished(UserCreated.class));

        assertEquals("expected a published UserCreated matching the condition; observed: nothing published", failure.getMessage());
    }

    @Test
    void assertPublishedExactlyCountsMatchingMessages() {
        bus.publish(new UserCreated("u-1"));
        bus.publish(new UserDeleted("u-1"));
        bus.publish(new UserCreated("u-1"));

        List<Message<UserCreated>> matching = bus.assertPublishedExactly(2, UserCreated.class, event -> event.userId().equals("u-1"));
        assertEquals(2, matching.size());

        AssertionError failure = assertThrows(AssertionError.class,
                () -> bus.assertPublishedExactly(1, UserCreated.class, event -> event.userId().equals("u-1")));
        assertTrue(failure.getMessage().startsWith("expected exactly 1 published UserCreated matching the condition; "
                + "observed: 2 matching (numbers 1, 3) among 3 published:"), failure.getMessage());
        assertTrue(failure.getMessage().contains("2. user.deleted v1 (event, id "), failure.getMessage());
        assertTrue(failure.getMessage().contains("): UserDeleted[userId=u-1]"), failure.getMessage());
    }

    @Test
    void assertNothingElsePublishedNamesWhatNoAssertionMatched() {
        bus.publish(new UserCreated("u-1"));
        bus.publish(new UserDeleted("u-7"));
        bus.assertPublished(UserCreated.class, event -> event.userId().equals("u-1"));

        AssertionError failure = assertThrows(AssertionError.class, bus::assertNothingElsePublished);

        assertTrue(failure.getMessage().startsWith("expected nothing else published; observed 1 message(s) no assertion matched:"
                + System.lineSeparator() + "  2. user.deleted v1"), failure.getMessage());
        bus.assertPublished(UserDeleted.class);
        assertDoesNotThrow(bus::assertNothingElsePublished);
    }

    @Test
    void assertNothingPublishedHoldsUntilSomethingIsPublishedAndAfterClear() {
        assertDoesNotThrow(bus::assertNothingPublished);
        bus.publish(new UserCreated("u-1"));

        AssertionError failure = assertThrows(AssertionError.class, bus::assertNothingPublished);
        assertTrue(failure.getMessage().startsWith("expected nothing published; observed 1 message(s):"), failure.getMessage());

        bus.clear();
        assertDoesNotThrow(bus::assertNothingPublished);
        assertDoesNotThrow(bus::assertNothingElsePublished);
    }

    @Test
    void forwardingRecordsThenHandsTheSameMessagesToTheDelegate() {
        RecordingEventBus delegate = new RecordingEventBus();
        RecordingEventBus forwarding = RecordingEventBus.forwardingTo(delegate);
        Subscription subscription = Subscription.of(UserCreated.class, "send_mail_handler", message -> { });

        forwarding.subscribe(subscription);
        forwarding.start();
        forwarding.publish(new UserCreated("u-1"));
        forwarding.publish(List.of(new UserDeleted("u-1")));
        forwarding.pause("send_mail_handler");

        assertEquals(forwarding.published(), delegate.published(), "the delegate must receive the recorded messages, same ids");
        assertEquals(List.of(subscription), delegate.subscriptions());
        assertTrue(delegate.isStarted());
        assertTrue(delegate.isPaused("send_mail_handler"));
        forwarding.stop();
        assertEquals(false, delegate.isStarted());
    }

    @Test
    void rejectsPausingAHandlerThatIsNotSubscribed() {
        ConfigurationException failure = assertThrows(ConfigurationException.class, () -> bus.pause("missing_handler"));

        assertTrue(failure.getMessage().contains("no handler 'missing_handler'"), failure.getMessage());
    }

    @Test
    void recordsEveryMessagePublishedFromManyThreads() throws InterruptedException {
        EventBus shared = bus;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        for (int thread = 0; thread < 4; thread++) {
            int base = thread * 250;
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 250; i++) {
                    shared.publish(new UserCreated("u-" + (base + i)));
                }
            });
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "publishers did not finish within 10 s");

        assertEquals(1000, bus.published(UserCreated.class).stream().map(m -> m.payload().userId()).distinct().count());
    }
}
