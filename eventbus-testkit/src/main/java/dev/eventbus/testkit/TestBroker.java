package dev.eventbus.testkit;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBusException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import dev.eventbus.rabbitmq.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The broker as one test sees it: where it is, the names this test owns, connections that are closed
 * after the test, and {@code rabbitmqctl}. Given to tests by {@link RabbitMqExtension}; thread-safe.
 *
 * <p><b>Isolation.</b> The {@link #organization()} is random per test ({@code t} and 12 hex digits), so
 * every exchange and queue named by its {@link #convention()} is this test's alone, and test classes can
 * run in parallel on one broker.
 *
 * <p><b>Cleanup.</b> After the test, every exchange and queue whose name contains the organization is deleted, over
 * AMQP, on the broker the URI names: those the test declared through the testkit (on connections from
 * {@link #newConnection()} or {@link #connectionFactory()}, whose declarations amqp-client records, and the topology
 * of {@link #bus buses}), the exchanges of its {@link #convention()}, and, when the broker has the management API,
 * every other one the API lists. The shared store queues ({@code store}, {@code retry.store},
 * {@code dead_letter.store}) and {@code amq.*} are never touched. A name that cannot be deleted fails the test.
 */
public final class TestBroker {

    /** Queues every service of a vhost shares: never deleted by the cleanup. */
    static final Set<String> SHARED_QUEUES = Set.of(Convention.STORE_QUEUE, Convention.STORE_RETRY_QUEUE,
            Convention.STORE_DEAD_LETTER_QUEUE);

    private static final Logger log = LoggerFactory.getLogger(TestBroker.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_SERVICE_LENGTH = 40;

    private final RunningBroker broker;
    private final String organization;
    private final String service;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<RabbitMqEventBus> buses = new CopyOnWriteArrayList<>();
    private final AtomicInteger busCount = new AtomicInteger();
    private final List<TestBroker> virtualHosts = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicInteger virtualHostCount = new AtomicInteger();

    TestBroker(RunningBroker broker, String organization, String service) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.organization = organization;
        this.service = service;
        Convention.of(organization, service);
    }

    /** A test broker with a new random organization and a service named after the test class. */
    static TestBroker forTest(RunningBroker broker, Class<?> testClass) {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        return new TestBroker(broker, "t" + HexFormat.of().formatHex(random), serviceName(testClass));
    }

    /** The test class's simple name in lower case, with characters other than {@code a-z0-9_-} replaced by {@code _}. */
    static String serviceName(Class<?> testClass) {
        String name = testClass == null ? "" : testClass.getSimpleName().toLowerCase(Locale.ROOT);
        String sanitized = name.replaceAll("[^a-z0-9_-]", "_");
        if (sanitized.length() > MAX_SERVICE_LENGTH) {
            sanitized = sanitized.substring(0, MAX_SERVICE_LENGTH);
        }
        return sanitized.isEmpty() ? "test" : sanitized;
    }

    /** The AMQP URI with credentials, for {@code ConnectionFactory.setUri} or a bus builder. Never log it: use {@link #displayUri()}. */
    public String uri() {
        return broker.uri().value();
    }

    /** The URI with its password replaced by {@code ****}: safe for logs and messages. */
    public String displayUri() {
        return broker.uri().display();
    }

    /** Where the broker comes from. */
    public BrokerSource source() {
        return broker.source();
    }

    /** The virtual host of the URI ({@code /} when the URI names none). */
    public String virtualHost() {
        return broker.uri().virtualHost();
    }

    /** This test's organization, unique per test: {@code t} followed by 12 hex digits. */
    public String organization() {
        return organization;
    }

    /** This test's service name: the test class's simple name in lower case, sanitized to {@code a-z0-9_-}. */
    public String service() {
        return service;
    }

    /** The naming convention of this test's organization and service, with the default name style. */
    public Convention convention() {
        return Convention.of(organization, service);
    }

    /**
     * The prefix of the client-provided names of connections opened by {@link #newConnection()}:
     * {@code testkit-} and the organization. Pass it to {@link Faults#closeConnectionsNamed} to cut only
     * this test's connections.
     */
    public String connectionNamePrefix() {
        return "testkit-" + organization;
    }

    /**
     * A connection factory set for this broker: its URI, automatic recovery on, and a network recovery
     * interval of 500 ms so that recovery tests are quick. Each call returns a new factory. The connections it
     * opens are closed after the test, and what is declared through them deleted (keep topology recovery on, as it
     * is by default: amqp-client's record of the declarations is how the testkit knows them).
     */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = broker.uri().configure(new TrackedConnectionFactory(this::track));
        factory.setAutomaticRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(500);
        factory.setConnectionTimeout(5_000);
        return factory;
    }

    /**
     * Opens a connection from {@link #connectionFactory()}, named {@link #connectionNamePrefix()} plus a
     * counter; it is closed after the test. Blocks while connecting.
     *
     * @throws EventBusException if the broker cannot be reached, naming it (without password)
     */
    public Connection newConnection() {
        return newConnection(connectionNamePrefix() + "-" + connectionCount.incrementAndGet());
    }

    /**
     * Opens a connection with the given client-provided name; it is closed after the test.
     *
     * @throws EventBusException if the broker cannot be reached, naming it (without password)
     */
    public Connection newConnection(String clientProvidedName) {
        if (released.get()) {
            throw new IllegalStateException("the test broker of organization " + organization
                    + " was released at the end of its test: open connections during the test");
        }
        try {
            return connectionFactory().newConnection(clientProvidedName);
        } catch (IOException | TimeoutException e) {
            throw new EventBusException("could not connect to the test broker " + displayUri() + " (" + source() + "): "
                    + e.getMessage() + "; check that it runs and accepts these credentials", e);
        }
    }

    /**
     * A RabbitMQ bus for this test: this broker, this test's organization and service, connections named
     * {@link #connectionNamePrefix()}{@code -bus<n>-publisher} / {@code -consumer} (so {@link Faults} can cut them),
     * automatic recovery retried every 500 ms. The customizer sets the rest (subscriptions, retry policy, ...).
     * The bus is stopped after the test, before the cleanup deletes its queues. Call {@code configure()} and
     * {@code start()} on it as a service would.
     *
     * <pre>{@code
     * RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "h", received::add)));
     * }</pre>
     */
    public RabbitMqEventBus bus(UnaryOperator<RabbitMqEventBusBuilder> customizer) {
        if (released.get()) {
            throw new IllegalStateException("the test broker of organization " + organization
                    + " was released at the end of its test: build buses during the test");
        }
        RabbitMqEventBusBuilder builder = RabbitMqEventBus.builder()
                .connection(RabbitMqConnectionSettings.fromUri(uri()).withRecoveryInterval(Duration.ofMillis(500)))
                .connectionName(busConnectionNamePrefix() + busCount.incrementAndGet())
                .organization(organization)
                .service(service);
        RabbitMqEventBus bus = customizer.apply(builder).build();
        buses.add(bus);
        return bus;
    }

    private void track(Connection connection) {
        connections.add(connection);
        if (released.get()) {
            // opened from a factory taken during the test, after the test: nothing would close it
            connection.abort(2_000);
            throw new IllegalStateException("the test broker of organization " + organization
                    + " was released at the end of its test: open connections during the test");
        }
    }

    /** The prefix of the client-provided connection names of {@link #bus buses} built by this test broker. */
    public String busConnectionNamePrefix() {
        return connectionNamePrefix() + "-bus";
    }

    /**
     * The same broker, organization and service on a virtual host of this test's own, created now (named after the
     * organization) and deleted with everything in it after the test. For tests that touch what a vhost shares,
     * such as the store queues, whose arguments name one organization's exchanges. Needs the management API or
     * {@code rabbitmqctl}.
     *
     * @throws EventBusException if neither can create it, saying why
     */
    public TestBroker withOwnVirtualHost() {
        if (released.get()) {
            throw new IllegalStateException("the test broker of organization " + organization
                    + " was released at the end of its test: ask for virtual hosts during the test");
        }
        String virtualHost = "eventbus-test-" + organization + "-" + virtualHostCount.incrementAndGet();
        broker.addVirtualHost(virtualHost);
        TestBroker isolated = new TestBroker(broker.onVirtualHost(virtualHost), organization, service);
        virtualHosts.add(isolated);
        return isolated;
    }

    /** The {@code rabbitmqctl} client for this broker's virtual host. */
    public RabbitMqCtl ctl() {
        return broker.ctl();
    }

    /** Whether a broker exchange or queue name is this test's to delete. */
    boolean owns(String name) {
        return name.contains(organization) && !SHARED_QUEUES.contains(name) && !name.startsWith("amq.");
    }

    /** The broker of the run this test broker belongs to (for the testkit's own tests). */
    RunningBroker runningBroker() {
        return broker;
    }

    /**
     * Stops the buses and closes the connections this test opened, then deletes every exchange and queue of the
     * organization it knows of (see the type's description) and the virtual hosts it created. Called once, at the
     * end of the test (or class) that asked for this broker. Blocks for a few milliseconds per name.
     *
     * @throws EventBusException naming each exchange, queue or virtual host that could not be deleted
     */
    void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        Declared declared = declared();
        closeBusesAndConnections();
        List<String> failures = new ArrayList<>();
        for (TestBroker isolated : virtualHosts) {
            isolated.released.set(true);
            isolated.closeBusesAndConnections();
            isolated.broker.closeCleanup();
            try {
                broker.deleteVirtualHost(isolated.virtualHost());
            } catch (RuntimeException e) {
                failures.add("virtual host " + isolated.virtualHost() + " (" + e.getMessage() + ")");
            }
        }
        virtualHosts.clear();
        Optional<ManagementApi> api = broker.managementApi();
        if (api.isPresent()) {
            try {
                api.get().queueNamesContaining(virtualHost(), organization).stream().filter(this::owns).forEach(declared.queues::add);
                api.get().exchangeNamesContaining(virtualHost(), organization).stream().filter(this::owns)
                        .forEach(declared.exchanges::add);
            } catch (EventBusException e) {
                failures.add("the leftovers the " + api.get() + " lists (" + e.getMessage() + ")");
            }
        }
        failures.addAll(broker.cleanup().delete(declared.queues, declared.exchanges));
        if (!failures.isEmpty()) {
            throw new EventBusException("could not delete what test organization " + organization + " declared on " + displayUri()
                    + ": " + failures + "; delete them by hand (rabbitmqctl delete_queue / delete_exchange / delete_vhost) "
                    + "so that later runs start clean");
        }
        log.debug("deleted queues {} and exchanges {} of test organization {} on {} in {} ms", declared.queues, declared.exchanges,
                organization, displayUri(), (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The names of the organization this test broker knows were declared, or may have been: what the connections it
     * opened recorded, the topology of its buses, and its convention's three exchanges (deleting a name that does not
     * exist is harmless, and tests often declare those through other means).
     */
    private Declared declared() {
        Declared declared = new Declared(new LinkedHashSet<>(), new LinkedHashSet<>());
        for (RabbitMqEventBus bus : buses) {
            Topology topology = bus.admin().topology();
            topology.queues().forEach(queue -> declared.queues.add(queue.name()));
            topology.exchanges().forEach(exchange -> declared.exchanges.add(exchange.name()));
            declared.queues.addAll(bus.admin().streamQueues());
        }
        for (Connection connection : connections) {
            if (connection instanceof AutorecoveringConnection recording) {
                declared.queues.addAll(List.copyOf(recording.getRecordedQueues().keySet()));
                declared.exchanges.addAll(List.copyOf(recording.getRecordedExchanges().keySet()));
            }
        }
        Convention convention = convention();
        declared.exchanges.addAll(List.of(convention.mainExchange(), convention.retryExchange(), convention.deadLetterExchange()));
        declared.queues.add(convention.stream()); // a stream subscription's, perhaps declared by a bus of another service
        declared.queues.removeIf(name -> !owns(name));
        declared.exchanges.removeIf(name -> !owns(name));
        return declared;
    }

    /** Stops the buses (before their queues go) and aborts the connections this test broker opened. */
    private void closeBusesAndConnections() {
        for (RabbitMqEventBus bus : buses) {
            try {
                bus.stop();
            } catch (RuntimeException e) {
                log.warn("stopping a bus of test organization {} failed: {}", organization, e.toString());
            }
        }
        buses.clear();
        for (Connection connection : connections) {
            if (connection.isOpen()) {
                connection.abort(2_000);
            }
        }
        connections.clear();
    }

    /** Queue and exchange names to delete, in the order found. */
    private record Declared(Set<String> queues, Set<String> exchanges) {
    }

    @Override
    public String toString() {
        return "TestBroker[" + source() + " " + displayUri() + ", organization " + organization + ", service " + service + "]";
    }
}
