package dev.eventbus.testkit.contract;

/** The dead-letter desk scenarios against the in-memory bus. */
class InMemoryDeadLetterDeskContractTest extends DeadLetterDeskContract {

    @Override
    protected ContractBuses buses() {
        return new InMemoryContractBuses();
    }
}
