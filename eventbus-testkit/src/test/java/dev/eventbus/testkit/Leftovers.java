package dev.eventbus.testkit;

import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a broker still holds of an organization, for tests that check the cleanup: listed by the broker's management
 * API if it has one, else by {@code rabbitmqctl}; a test that can use neither is skipped, saying why.
 */
final class Leftovers {

    private Leftovers() {
    }

    /** The queues ({@code queue <name>}) and exchanges ({@code exchange <name>}) whose names contain the organization. */
    static List<String> of(TestBroker broker, String organization) {
        List<String> left = new ArrayList<>();
        Optional<ManagementApi> api = broker.runningBroker().managementApi();
        if (api.isPresent()) {
            api.get().queueNamesContaining(broker.virtualHost(), organization).forEach(name -> left.add("queue " + name));
            api.get().exchangeNamesContaining(broker.virtualHost(), organization).forEach(name -> left.add("exchange " + name));
            return left;
        }
        Optional<String> noCtl = broker.runningBroker().ctlUnavailableReason();
        Assumptions.assumeTrue(noCtl.isEmpty(), () -> "listing what is left on the broker needs its management API or "
                + "rabbitmqctl, and it has neither: " + noCtl.orElse(""));
        broker.ctl().listQueues().stream().map(RabbitMqCtl.QueueInfo::name).filter(name -> name.contains(organization))
                .forEach(name -> left.add("queue " + name));
        broker.ctl().listExchanges().stream().map(RabbitMqCtl.ExchangeInfo::name).filter(name -> name.contains(organization))
                .forEach(name -> left.add("exchange " + name));
        return left;
    }
}
