package dev.eventbus.testkit.contract;

import org.junit.jupiter.api.AfterEach;

/**
 * What every contract class of this package shares: the {@link ContractBuses} of one scenario, made on first use and
 * closed after the scenario. A bus implementation runs a contract by extending it and returning its buses from
 * {@link #buses()}.
 */
public abstract class ContractFixture {

    private ContractBuses buses;

    /** The buses of one scenario; called once per scenario, closed after it. */
    protected abstract ContractBuses buses();

    /** This scenario's buses, made by {@link #buses()} on first use. */
    final ContractBuses fixture() {
        if (buses == null) {
            buses = buses();
        }
        return buses;
    }

    @AfterEach
    void closeBuses() {
        if (buses != null) {
            buses.close();
            buses = null;
        }
    }
}
