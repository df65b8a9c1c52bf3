package dev.eventbus.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Chooses the broker of a test run: the one named by {@code EVENTBUS_RABBITMQ_URL} (or the system
 * property {@code eventbus.rabbitmq.url}), else one listening on localhost:5672, else a Testcontainers
 * container when Docker is available; and logs the choice. The probes are injected, so the order is
 * unit-tested without a broker or Docker. Thread-safe if its probes are.
 */
final class BrokerSelector {

    static final String URL_VARIABLE = "EVENTBUS_RABBITMQ_URL";
    static final String URL_PROPERTY = "eventbus.rabbitmq.url";
    static final String LOCALHOST_URI = "amqp://guest:guest@localhost:5672";

    static final String HOW_TO_PROVIDE = "provide one: set " + URL_VARIABLE + "=amqp://user:password@host:5672/vhost "
            + "(or -D" + URL_PROPERTY + "=...), or start a local broker with `rabbitmq-server -detached` "
            + "(guest/guest on localhost:5672), or install and start Docker so that Testcontainers can run " + BrokerContainer.IMAGE;

    private static final Logger log = LoggerFactory.getLogger(BrokerSelector.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 500;

    private final Function<String, String> environment;
    private final Function<String, String> systemProperties;
    private final BooleanSupplier localhostReachable;
    private final BooleanSupplier dockerAvailable;
    private final Function<BrokerUri, RabbitMqCtl> ctlFor;
    private final Supplier<RunningBroker> containerStarter;

    /**
     * @param environment        reads environment variables
     * @param systemProperties   reads system properties
     * @param localhostReachable whether something accepts TCP connections on localhost:5672
     * @param dockerAvailable    whether Testcontainers finds a Docker engine
     * @param ctlFor             the {@code rabbitmqctl} client for an external broker
     * @param containerStarter   starts a container broker
     */
    BrokerSelector(Function<String, String> environment, Function<String, String> systemProperties,
                   BooleanSupplier localhostReachable, BooleanSupplier dockerAvailable,
                   Function<BrokerUri, RabbitMqCtl> ctlFor, Supplier<RunningBroker> containerStarter) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
        this.localhostReachable = Objects.requireNonNull(localhostReachable, "localhostReachable");
        this.dockerAvailable = Objects.requireNonNull(dockerAvailable, "dockerAvailable");
        this.ctlFor = Objects.requireNonNull(ctlFor, "ctlFor");
        this.containerStarter = Objects.requireNonNull(containerStarter, "containerStarter");
    }

    /** The selector with the real probes: process environment, system properties, a TCP connect, Docker. */
    static BrokerSelector standard() {
        return new BrokerSelector(System::getenv, System::getProperty, () -> reachable("localhost", 5672),
                BrokerContainer::dockerAvailable, BrokerSelector::localCtl, BrokerContainer::start);
    }

    /**
     * Chooses a broker, starting a container if it comes to that.
     *
     * @throws TestBrokerUnavailableException if there is none, with how to provide one
     * @throws dev.eventbus.core.ConfigurationException if the named URL is not a valid AMQP URI
     */
    RunningBroker select() {
        String named = systemProperties.apply(URL_PROPERTY);
        String origin = "system property " + URL_PROPERTY;
        if (named == null || named.isBlank()) {
            named = environment.apply(URL_VARIABLE);
            origin = "environment variable " + URL_VARIABLE;
        }
        if (named != null && !named.isBlank()) {
            BrokerUri uri = new BrokerUri(named);
            log.info("eventbus-testkit uses the RabbitMQ broker named by the {}: {}", origin, uri.display());
            return RunningBroker.external(BrokerSource.ENVIRONMENT, uri, ctlFor.apply(uri));
        }
        if (localhostReachable.getAsBoolean()) {
            BrokerUri uri = new BrokerUri(LOCALHOST_URI);
            log.info("eventbus-testkit uses the RabbitMQ broker on localhost:5672 ({}); set {} to use another",
                    uri.display(), URL_VARIABLE);
            return RunningBroker.external(BrokerSource.LOCALHOST, uri, ctlFor.apply(uri));
        }
        if (dockerAvailable.getAsBoolean()) {
            log.info("eventbus-testkit found no {} and nothing on localhost:5672: starting {} with Testcontainers",
                    URL_VARIABLE, BrokerContainer.IMAGE);
            RunningBroker broker = containerStarter.get();
            log.info("eventbus-testkit uses the Testcontainers RabbitMQ broker {}", broker.uri().display());
            return broker;
        }
        throw new TestBrokerUnavailableException("no RabbitMQ broker for the tests: " + URL_VARIABLE + " is not set, nothing listens on "
                + "localhost:5672 and Docker is not available for Testcontainers; " + HOW_TO_PROVIDE);
    }

    /**
     * The local {@code rabbitmqctl} for a broker on this machine, checked (once, when first needed) to reach the node
     * that listens on the URI's port; for a remote one, a client that says it cannot reach it, unless
     * {@code EVENTBUS_RABBITMQCTL} or {@code EVENTBUS_RABBITMQ_NODE} says how.
     */
    static RabbitMqCtl localCtl(BrokerUri uri) {
        boolean explicitCtl = System.getenv(LocalCtlRunner.PATH_VARIABLE) != null
                || System.getProperty(LocalCtlRunner.PATH_PROPERTY) != null
                || System.getenv(LocalCtlRunner.NODE_VARIABLE) != null
                || System.getProperty(LocalCtlRunner.NODE_PROPERTY) != null;
        if (uri.isLoopback() || explicitCtl) {
            return new RabbitMqCtl(LocalCtlRunner.discover(), uri.virtualHost(), RabbitMqCtl.DEFAULT_TIMEOUT, uri.port());
        }
        // A local rabbitmqctl would manage this machine's node, not the remote broker: better none.
        return new RabbitMqCtl(LocalCtlRunner.unavailable("the test broker " + uri.display() + " is on another host, which "
                + "the local rabbitmqctl does not manage: set " + LocalCtlRunner.NODE_VARIABLE + " to its node name "
                + "(rabbitmqctl -n rabbit@thathost, with this machine's Erlang cookie) or " + LocalCtlRunner.PATH_VARIABLE
                + " to a rabbitmqctl wrapper that reaches it"), uri.virtualHost(), RabbitMqCtl.DEFAULT_TIMEOUT);
    }

    /** Whether a TCP connection to the address succeeds within half a second. */
    static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            log.debug("nothing accepts connections on {}:{}: {}", host, port, e.getMessage());
            return false;
        }
    }
}
