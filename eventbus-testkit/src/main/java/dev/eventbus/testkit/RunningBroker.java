package dev.eventbus.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The broker of this JVM's tests, shared by every test through JUnit's root store, which closes it at
 * the end of the run (stopping a container the testkit started). Thread-safe.
 *
 * <p>It holds what every test of the run shares: the connection that deletes what tests declared ({@link #cleanup()}),
 * the management API if the broker has one (looked for once, on first use) and the {@code rabbitmqctl} client.
 */
final class RunningBroker implements ExtensionContext.Store.CloseableResource {

    private static final Logger log = LoggerFactory.getLogger(RunningBroker.class);

    private final BrokerSource source;
    private final BrokerUri uri;
    private final RabbitMqCtl ctl;
    private final Supplier<ManagementApi.Located> locateManagement;
    private final AutoCloseable onClose;
    private final BrokerCleanup cleanup;
    private volatile Optional<String> ctlUnavailableReason;
    private volatile ManagementApi.Located management;

    /**
     * A broker whose management API is looked for as {@link ManagementApi#locate(BrokerUri, java.util.function.Function,
     * java.util.function.Function)} says: named by {@code EVENTBUS_RABBITMQ_MANAGEMENT_URL}, else on the AMQP port plus 10000.
     *
     * @param source  where the broker comes from
     * @param uri     its AMQP URI
     * @param ctl     the {@code rabbitmqctl} client for its virtual host
     * @param onClose what to release at the end of the run (stops a started container)
     */
    RunningBroker(BrokerSource source, BrokerUri uri, RabbitMqCtl ctl, AutoCloseable onClose) {
        this(source, uri, ctl, () -> ManagementApi.locate(uri, System::getenv, System::getProperty), onClose);
    }

    /**
     * @param locateManagement finds the broker's management API (called once, when first needed)
     */
    RunningBroker(BrokerSource source, BrokerUri uri, RabbitMqCtl ctl, Supplier<ManagementApi.Located> locateManagement,
                  AutoCloseable onClose) {
        this.source = Objects.requireNonNull(source, "source");
        this.uri = Objects.requireNonNull(uri, "uri");
        this.ctl = Objects.requireNonNull(ctl, "ctl");
        this.locateManagement = Objects.requireNonNull(locateManagement, "locateManagement");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.cleanup = new BrokerCleanup(uri::factory, uri.display());
    }

    /** A broker the testkit did not start, so nothing to release at the end. */
    static RunningBroker external(BrokerSource source, BrokerUri uri, RabbitMqCtl ctl) {
        return new RunningBroker(source, uri, ctl, () -> { });
    }

    /**
     * The same broker seen through another virtual host: the same management API, and nothing to release at the end
     * but its cleanup connection (the vhost's owner deletes the vhost).
     */
    RunningBroker onVirtualHost(String virtualHost) {
        return new RunningBroker(source, uri.withVirtualHost(virtualHost), ctl.forVirtualHost(virtualHost), this::management,
                () -> { });
    }

    BrokerSource source() {
        return source;
    }

    BrokerUri uri() {
        return uri;
    }

    RabbitMqCtl ctl() {
        return ctl;
    }

    /** Deletes queues and exchanges over AMQP, on a connection shared by the run. */
    BrokerCleanup cleanup() {
        return cleanup;
    }

    /** Why {@code rabbitmqctl} cannot manage this broker, checked once per run; empty when it can. */
    Optional<String> ctlUnavailableReason() {
        Optional<String> reason = ctlUnavailableReason;
        if (reason == null) {
            // Two threads may both check at first; the answers are the same, so no lock is needed.
            reason = ctl.unavailableReason();
            ctlUnavailableReason = reason;
        }
        return reason;
    }

    /** The management API of this broker, if it has one, looked for once per run. */
    Optional<ManagementApi> managementApi() {
        return management().api();
    }

    private ManagementApi.Located management() {
        ManagementApi.Located located = management;
        if (located == null) {
            synchronized (this) {
                located = management;
                if (located == null) {
                    located = locateManagement.get();
                    management = located;
                    if (located.api().isPresent()) {
                        log.info("eventbus-testkit lists leftovers of tests through the {} of {}", located.api().get(), uri.display());
                    } else {
                        log.info("eventbus-testkit deletes after each test what it saw the test declare (through its connections "
                                + "and buses); there is no management API for {} ({}), so names declared through other "
                                + "connections are not looked for: enable the rabbitmq_management plugin, or name its URL "
                                + "with {}", uri.display(), located.reason(), ManagementApi.URL_VARIABLE);
                    }
                }
            }
        }
        return located;
    }

    /**
     * Creates a virtual host with every permission for the URI's user: through the management API if there is one,
     * else with {@code rabbitmqctl}.
     *
     * @throws dev.eventbus.core.EventBusException if neither can, saying why
     */
    void addVirtualHost(String name) {
        Optional<ManagementApi> api = managementApi();
        if (api.isPresent()) {
            api.get().addVirtualHost(name, uri.username());
            return;
        }
        requireCtl("a test virtual host");
        ctl.addVirtualHost(name, uri.username());
    }

    /**
     * Deletes a virtual host with everything in it, as {@link #addVirtualHost} created it.
     *
     * @throws dev.eventbus.core.EventBusException if it cannot, saying why
     */
    void deleteVirtualHost(String name) {
        Optional<ManagementApi> api = managementApi();
        if (api.isPresent()) {
            api.get().deleteVirtualHost(name);
            return;
        }
        requireCtl("deleting a test virtual host");
        ctl.deleteVirtualHost(name);
    }

    private void requireCtl(String purpose) {
        ctlUnavailableReason().ifPresent(reason -> {
            throw new RabbitMqCtlException(purpose + " needs the management API or rabbitmqctl, and has neither: "
                    + management().reason() + "; " + reason);
        });
    }

    @Override
    public void close() throws Exception {
        log.info("releasing the {} test broker {}", source, uri.display());
        cleanup.close();
        onClose.close();
    }

    /** Closes the cleanup connection of a broker seen through a virtual host about to be deleted. */
    void closeCleanup() {
        cleanup.close();
    }

    @Override
    public String toString() {
        return source + " " + uri.display();
    }
}
