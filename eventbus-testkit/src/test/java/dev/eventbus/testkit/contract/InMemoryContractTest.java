package dev.eventbus.testkit.contract;

/** The contract suite against the in-memory bus. */
class InMemoryContractTest extends EventBusContract {

    @Override
    protected ContractBuses buses() {
        return new InMemoryContractBuses();
    }
}
