package dev.eventbus.testkit.contract;

import dev.eventbus.testkit.RecordingEventBus;

/** The contract suite against the recording bus forwarding to the in-memory bus. */
class RecordingContractTest extends EventBusContract {

    @Override
    protected ContractBuses buses() {
        return InMemoryContractBuses.wrapping(RecordingEventBus::forwardingTo);
    }
}
