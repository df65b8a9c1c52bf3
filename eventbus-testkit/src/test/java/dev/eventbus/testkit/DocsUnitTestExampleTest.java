package dev.eventbus.testkit;

// tag::imports[]
import dev.eventbus.core.Event;
import dev.eventbus.core.EventBus;
import dev.eventbus.testkit.RecordingEventBus;
import org.junit.jupiter.api.Test;
// end::imports[]

/**
 * The unit test of docs/testing.md, which includes the tagged regions (after editing one, run
 * {@code ./mvnw -q -pl docs test -Deventbus.docs.update=true}).
 */
// tag::test[]
class DocsUnitTestExampleTest {

    record UserCreated(String userId) implements Event {
    }

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
// end::test[]
