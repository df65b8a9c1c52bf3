package dev.eventbus.outbox;

/** The inbox's contract on the local PostgreSQL, in a schema of each test's own. */
class InboxPostgresIT extends InboxContract {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
