package dev.eventbus.examples.eventstore;

import java.util.UUID;

/** The event store on its default database, embedded H2. */
class EventStoreH2Test extends EventStoreContract {

    @Override
    EventStore open() {
        return EventStore.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "events");
    }
}
