package dev.eventbus.testkit.contract;

/** The ordering and concurrency scenarios against the in-memory bus. */
class InMemoryOrderingContractTest extends OrderingContract {

    @Override
    protected ContractBuses buses() {
        return new InMemoryContractBuses();
    }
}
