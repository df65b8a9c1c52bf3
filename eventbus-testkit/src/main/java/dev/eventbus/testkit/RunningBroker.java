package dev.eventbus.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Optional;

/**
 * The broker of this JVM's tests, shared by every test through JUnit's root store, which closes it at
 * the end of the run (stopping a container the testkit started). Immutable and thread-safe.
 */
final class RunningBroker implements ExtensionContext.Store.CloseableResource {

    private static final Logger log = LoggerFactory.getLogger(RunningBroker.class);

    private final BrokerSource source;
    private final BrokerUri uri;
    private final RabbitMqCtl ctl;
    private final AutoCloseable onClose;
    private volatile Optional<String> ctlUnavailableReason;

    /**
     * @param source  where the broker comes from
     * @param uri     its AMQP URI
     * @param ctl     the {@code rabbitmqctl} client for its virtual host
     * @param onClose what to release at the end of the run (stops a started container)
     */
    RunningBroker(BrokerSource source, BrokerUri uri, RabbitMqCtl ctl, AutoCloseable onClose) {
        this.source = Objects.requireNonNull(source, "source");
        this.uri = Objects.requireNonNull(uri, "uri");
        this.ctl = Objects.requireNonNull(ctl, "ctl");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
    }

    /** A broker the testkit did not start, so nothing to release at the end. */
    static RunningBroker external(BrokerSource source, BrokerUri uri, RabbitMqCtl ctl) {
        return new RunningBroker(source, uri, ctl, () -> { });
    }

    /** The same broker seen through another virtual host (nothing to release: the vhost's owner deletes it). */
    RunningBroker onVirtualHost(String virtualHost) {
        return external(source, uri.withVirtualHost(virtualHost), ctl.forVirtualHost(virtualHost));
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

    @Override
    public void close() throws Exception {
        log.info("releasing the {} test broker {}", source, uri.display());
        onClose.close();
    }

    @Override
    public String toString() {
        return source + " " + uri.display();
    }
}
