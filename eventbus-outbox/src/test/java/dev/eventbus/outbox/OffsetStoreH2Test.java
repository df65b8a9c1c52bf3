package dev.eventbus.outbox;

/** The offset store on an in-memory H2 database. */
class OffsetStoreH2Test extends OffsetStoreContract {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }
}
