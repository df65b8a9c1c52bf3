package dev.eventbus.testkit.contract;

import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventBusAdmin;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.TestBroker;
import java.util.Objects;

/**
 * RabbitMQ buses for the {@link EventBusContract}, on the {@link TestBroker} of the scenario (its organization of its
 * own; the test broker stops the buses and deletes what they declared after the scenario).
 *
 * <pre>{@code
 * @RabbitMqTest
 * class RabbitMqContractIT extends EventBusContract {
 *     private TestBroker broker;
 *
 *     @BeforeEach
 *     void broker(TestBroker broker) {
 *         this.broker = broker;
 *     }
 *
 *     @Override
 *     protected ContractBuses buses() {
 *         return new RabbitMqContractBuses(broker);
 *     }
 * }
 * }</pre>
 */
public class RabbitMqContractBuses implements ContractBuses {

    private final TestBroker broker;

    /** Buses on this test broker. */
    public RabbitMqContractBuses(TestBroker broker) {
        this.broker = Objects.requireNonNull(broker, "broker");
    }

    @Override
    public String organization() {
        return broker.organization();
    }

    @Override
    public Convention convention(String service) {
        return new Convention(broker.organization(), service, broker.convention().style());
    }

    @Override
    public EventBus build(BusSpec spec) {
        RabbitMqEventBus bus = broker.bus(builder -> builder
                .service(spec.service())
                .retryPolicy(spec.retryPolicy())
                .consumerThreads(spec.handlerThreads())
                .validator(spec.validator())
                .stopTimeout(spec.stopTimeout())
                .observer(spec.observer())
                .subscribe(spec.subscriptions().toArray(Subscription[]::new)));
        bus.admin().configure();
        return bus;
    }

    @Override
    public EventBusAdmin adminAfterStop(EventBus stopped, BusSpec spec) {
        return build(spec).admin();
    }

    /** Buses in a virtual host of the scenario's own (deleted after it), where the store queues name its organization. */
    @Override
    public ContractBuses withOwnStore() {
        return new RabbitMqContractBuses(broker.withOwnVirtualHost());
    }

    @Override
    public boolean survivesStop() {
        return true;
    }

    /** Nothing to do: the test broker stops its buses after the test. */
    @Override
    public void close() {
        // TestBroker stops every bus it built, then cleans up
    }
}
