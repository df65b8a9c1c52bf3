package dev.eventbus.testkit.contract;

import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventBusAdmin;
import dev.eventbus.core.InMemoryBroker;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.Subscription;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * In-memory buses for the {@link EventBusContract}: one {@link InMemoryBroker} per scenario, shared by its buses, and
 * an organization of the scenario's own. A wrapper of the in-memory bus can reuse it through {@link #wrapping}.
 */
public class InMemoryContractBuses implements ContractBuses {

    private final InMemoryBroker broker = new InMemoryBroker();
    private final String organization = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final List<EventBus> buses = new CopyOnWriteArrayList<>();
    private final UnaryOperator<EventBus> wrapper;

    /** Plain in-memory buses. */
    public InMemoryContractBuses() {
        this(UnaryOperator.identity());
    }

    private InMemoryContractBuses(UnaryOperator<EventBus> wrapper) {
        this.wrapper = wrapper;
    }

    /** In-memory buses, each handed to the wrapper (e.g. {@code RecordingEventBus::forwardingTo}) before use. */
    public static InMemoryContractBuses wrapping(UnaryOperator<EventBus> wrapper) {
        return new InMemoryContractBuses(wrapper);
    }

    @Override
    public String organization() {
        return organization;
    }

    @Override
    public Convention convention(String service) {
        return Convention.of(organization, service);
    }

    @Override
    public EventBus build(BusSpec spec) {
        InMemoryEventBus bus = InMemoryEventBus.builder()
                .convention(convention(spec.service()))
                .broker(broker)
                .retryPolicy(spec.retryPolicy())
                .handlerThreads(spec.handlerThreads())
                .validator(spec.validator())
                .stopTimeout(spec.stopTimeout())
                .observer(spec.observer())
                .subscribe(spec.subscriptions().toArray(Subscription[]::new))
                .build();
        EventBus wrapped = wrapper.apply(bus);
        buses.add(wrapped);
        wrapped.admin().configure();
        return wrapped;
    }

    @Override
    public EventBusAdmin adminAfterStop(EventBus stopped, BusSpec spec) {
        return stopped.admin();
    }

    @Override
    public boolean survivesStop() {
        return false;
    }

    @Override
    public void close() {
        buses.forEach(EventBus::stop);
    }
}
