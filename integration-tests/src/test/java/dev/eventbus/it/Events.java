package dev.eventbus.it;

import dev.eventbus.core.Command;
import dev.eventbus.core.Event;
import dev.eventbus.core.MessageName;
import dev.eventbus.core.MessageVersion;

/** Message types shared by the broker tests. */
final class Events {

    private Events() {
    }

    record UserCreated(String userId, String name) implements Event {
    }

    @MessageName("user.created")
    @MessageVersion(2)
    record UserCreatedV2(String userId, String name, String email) implements Event {
    }

    record OrderPlaced(String orderId, int quantity) implements Event {
    }

    record SendWelcomeMail(String email) implements Command {
    }
}
