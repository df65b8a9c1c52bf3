package dev.eventbus.testkit;

/** An event of the tests. */
record UserCreated(String userId) {
}
