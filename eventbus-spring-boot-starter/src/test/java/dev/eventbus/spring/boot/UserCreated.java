package dev.eventbus.spring.boot;

import dev.eventbus.core.Event;

/** A test event: user.created, version 1. */
record UserCreated(String userId, String name) implements Event {
}
