package dev.eventbus.testkit.contract;

import dev.eventbus.core.DeadLetters;
import dev.eventbus.core.EventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import org.junit.jupiter.api.BeforeEach;

/** The dead-letter desk scenarios against the RabbitMQ desk with a confirm window of 4 copies in flight. */
@RabbitMqTest
class RabbitMqWindowedDeadLetterDeskContractIT extends DeadLetterDeskContract {

    private TestBroker broker;

    @BeforeEach
    void broker(TestBroker broker) {
        this.broker = broker;
    }

    @Override
    protected ContractBuses buses() {
        return new RabbitMqContractBuses(broker);
    }

    @Override
    protected DeadLetters desk(EventBus bus) {
        return ((RabbitMqEventBus) bus).admin().deadLetters().confirmWindow(4);
    }
}
