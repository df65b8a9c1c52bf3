package dev.eventbus.testkit;

/** Another event of the tests. */
record UserDeleted(String userId) {
}
