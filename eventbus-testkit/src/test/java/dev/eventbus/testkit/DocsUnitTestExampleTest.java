package dev.eventbus.testkit;

import dev.eventbus.core.EventBus;
import org.junit.jupiter.api.Test;

/** The in-memory unit test shown in docs/testing.md; keep the two in sync. */
class DocsUnitTestExampleTest {

    /** The code under test: a service that publishes through an {@link EventBus}. */
    static final class UserService {
        private final EventBus bus;

        UserService(EventBus bus) {
            this.bus = bus;
        }

        void create(String userId) {
            bus.publish(new UserCreated(userId));
        }
    }

    @Test
    void publishesUserCreatedOnce() {
        RecordingEventBus bus = new RecordingEventBus();

        new UserService(bus).create("u-1");

        bus.assertPublishedExactly(1, UserCreated.class, event -> event.userId().equals("u-1"));
        bus.assertNothingElsePublished();
    }
}
