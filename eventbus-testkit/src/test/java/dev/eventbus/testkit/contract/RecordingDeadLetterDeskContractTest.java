package dev.eventbus.testkit.contract;

import dev.eventbus.testkit.RecordingEventBus;

/** The dead-letter desk scenarios against the recording bus forwarding to the in-memory bus. */
class RecordingDeadLetterDeskContractTest extends DeadLetterDeskContract {

    @Override
    protected ContractBuses buses() {
        return InMemoryContractBuses.wrapping(RecordingEventBus::forwardingTo);
    }
}
