package dev.eventbus.testkit.contract;

// tag::contract[]
import dev.eventbus.testkit.contract.ContractBuses;
import dev.eventbus.testkit.contract.EventBusContract;
import dev.eventbus.testkit.contract.InMemoryContractBuses;

/** Every scenario of the contract, against the in-memory bus. */
class InMemoryContractTest extends EventBusContract {

    @Override
    protected ContractBuses buses() {
        return new InMemoryContractBuses();   // or new RabbitMqContractBuses(broker), or ContractBuses of your own bus
    }
}
// end::contract[]
