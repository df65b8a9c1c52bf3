package dev.eventbus.testkit.contract;

import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import org.junit.jupiter.api.BeforeEach;

/** The ordering and concurrency scenarios against the RabbitMQ bus, on the test broker. */
@RabbitMqTest
class RabbitMqOrderingContractIT extends OrderingContract {

    private TestBroker broker;

    @BeforeEach
    void broker(TestBroker broker) {
        this.broker = broker;
    }

    @Override
    protected ContractBuses buses() {
        return new RabbitMqContractBuses(broker);
    }
}
