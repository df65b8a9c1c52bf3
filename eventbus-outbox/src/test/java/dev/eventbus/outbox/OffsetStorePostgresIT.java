package dev.eventbus.outbox;

/** The offset store on the local PostgreSQL, in a schema of each test's own. */
class OffsetStorePostgresIT extends OffsetStoreContract {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
