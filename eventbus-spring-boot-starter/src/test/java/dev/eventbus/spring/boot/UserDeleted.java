package dev.eventbus.spring.boot;

import dev.eventbus.core.Event;

/** A test event: user.deleted, version 1. */
record UserDeleted(String userId) implements Event {
}
