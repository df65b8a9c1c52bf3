package dev.eventbus.outbox;

/** The inbox's contract on H2, in memory. */
class InboxH2Test extends InboxContract {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }
}
