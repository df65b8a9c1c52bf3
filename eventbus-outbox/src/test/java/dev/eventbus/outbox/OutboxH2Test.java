package dev.eventbus.outbox;

/** The outbox's contract on H2, in memory. */
class OutboxH2Test extends OutboxContract {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }
}
