package dev.eventbus.testkit.contract;

import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventBusAdmin;

/**
 * Makes the buses of one contract scenario, all of one implementation, sharing one broker (real or in memory) and one
 * organization of the test's own. {@link EventBusContract} calls it; an implementation of {@link EventBus} provides one
 * to run the contract against itself.
 *
 * <p>Buses it made are stopped by {@link #close()}, called after each scenario.
 */
public interface ContractBuses extends AutoCloseable {

    /** The organization of every bus of this scenario. */
    String organization();

    /** The convention of one service of this scenario's organization, as its bus names queues. */
    Convention convention(String service);

    /** A bus of this spec, its topology declared ({@code admin().configure()}), not started. */
    EventBus build(BusSpec spec);

    /** A bus of this spec, declared and started. */
    default EventBus start(BusSpec spec) {
        EventBus bus = build(spec);
        bus.start();
        return bus;
    }

    /**
     * The administration view of a service after its bus was stopped: on a broker, a new bus of the same spec (not
     * started); in memory, the stopped bus's own.
     */
    EventBusAdmin adminAfterStop(EventBus stopped, BusSpec spec);

    /**
     * Whether messages not yet handled survive {@link EventBus#stop()} (on a broker they wait in their queues; in memory
     * they are dropped). The one place where the contract lets buses differ.
     */
    boolean survivesStop();

    /**
     * Buses for a scenario that uses the vhost-wide store queues, whose arguments name one organization: on a broker, in a
     * virtual host of the scenario's own; in memory, these same buses.
     */
    default ContractBuses withOwnStore() {
        return this;
    }

    /** Stops every bus this made. */
    @Override
    void close();
}
