package com.example.greeter;

import dev.eventbus.testkit.RecordingEventBus;
import org.junit.jupiter.api.Test;

/** A unit test without a broker, as docs/testing.md shows it. */
class GreeterTest {

    @Test
    void publishesUserCreated() {
        RecordingEventBus bus = new RecordingEventBus();

        new Greeter(bus).create("u-1", "Alice");

        bus.assertPublishedExactly(1, UserCreated.class, event -> event.name().equals("Alice"));
        bus.assertNothingElsePublished();
    }
}
