package dev.eventbus.testkit.contract;

import dev.eventbus.testkit.RecordingEventBus;

/** The ordering and concurrency scenarios against the recording bus forwarding to the in-memory bus. */
class RecordingOrderingContractTest extends OrderingContract {

    @Override
    protected ContractBuses buses() {
        return InMemoryContractBuses.wrapping(RecordingEventBus::forwardingTo);
    }
}
