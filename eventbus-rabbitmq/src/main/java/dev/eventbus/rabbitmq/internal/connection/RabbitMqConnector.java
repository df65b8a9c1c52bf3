package dev.eventbus.rabbitmq.internal.connection;

import dev.eventbus.rabbitmq.ConnectionRecovery;

import dev.eventbus.rabbitmq.BrokerUnavailableException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.impl.recovery.RecordedEntity;
import com.rabbitmq.client.impl.recovery.RecordedBinding;
import com.rabbitmq.client.impl.recovery.RecordedExchange;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Opens connections to RabbitMQ with automatic recovery (connection, channels, consumers, and the topology declared
 * on channels that are still open) turned on, from {@link RabbitMqConnectionSettings}. Thread-safe.
 *
 * <p>What it sets on the client, and why:
 * <ul>
 *   <li>the heartbeat of the settings (default 10 s): the client closes a connection it heard nothing on for
 *       about 2.25 heartbeats, then recovery reconnects;</li>
 *   <li>the largest inbound body of the settings (default 512 MiB, the most a broker accepts), so that no body the
 *       broker delivers closes the connection;</li>
 *   <li>a {@value #CONNECTION_THREAD_STACK_BYTES}-byte stack for each connection's reading thread: the client reads header tables
 *       recursively on its connection thread, about 700 bytes of stack per level, and the broker passes on headers
 *       nested as deep as its {@code frame_max} allows (about 26,000 arrays in RabbitMQ's default 131072 bytes, some
 *       18 MiB of stack); a default 1 MiB stack overflows at about 1,500 levels, which killed the connection on every
 *       redelivery. (The client's reader is quadratic in the depth: 5,000 levels take it about 2 s, the deepest
 *       possible some minutes, during which that connection delivers nothing else; it survives.)</li>
 *   <li>a topology recovery filter: exchanges, queues and bindings declared on a channel that has been closed since
 *       (the configurer's temporary channels) are not re-declared on recovery. They are durable, so they survive a
 *       connection loss; the client would re-declare them on the closed channel and fail, logging an ERROR for each.
 *       What is declared on open channels, and every consumer, is recovered;</li>
 *   <li>recovery reports: one WARN line per recovery instead of the client's ERROR per failed attempt and per
 *       object, and the {@link #onRecovery} callbacks;</li>
 *   <li>TLS: the settings' {@code SSLContext}, else the JVM's default trust store, always verifying the server's host
 *       name; addresses tried in a random order or in the given order ({@code shuffleAddresses}).</li>
 * </ul>
 */
public final class RabbitMqConnector {

    /** Stack of the client's connection threads: over three times what the deepest header table of a 131072-byte frame needs. */
    static final long CONNECTION_THREAD_STACK_BYTES = 64L * 1024 * 1024;

    private final RabbitMqConnectionSettings settings;
    private final ConnectionFactory factory;
    private final List<Consumer<ConnectionRecovery>> recoveryCallbacks = new CopyOnWriteArrayList<>();

    /** A connector for the given settings. Opens nothing until {@link #open(String)}. */
    public RabbitMqConnector(RabbitMqConnectionSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.factory = new ConnectionFactory();
        factory.setVirtualHost(settings.virtualHost());
        factory.setUsername(settings.username());
        factory.setPassword(settings.password());
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setTopologyRecoveryFilter(new OpenChannelsOnly());
        factory.setNetworkRecoveryInterval(settings.recoveryInterval().toMillis());
        factory.setConnectionTimeout((int) settings.connectionTimeout().toMillis());
        factory.setHandshakeTimeout((int) settings.connectionTimeout().toMillis());
        factory.setRequestedHeartbeat((int) settings.heartbeat().getSeconds());
        factory.setMaxInboundMessageBodySize(settings.maxInboundMessageBodySize());
        factory.setThreadFactory(largeStackThreads());
        if (settings.tls()) {
            try {
                factory.useSslProtocol(settings.sslContext() != null ? settings.sslContext() : SSLContext.getDefault());
                factory.enableHostnameVerification();
            } catch (NoSuchAlgorithmException e) {
                throw new BrokerUnavailableException("this JVM has no default TLS context, so amqps cannot be used: "
                        + e.getMessage() + "; give one with RabbitMqConnectionSettings.withTls(SSLContext)", e);
            }
        }
    }

    /** The settings this connector uses. */
    public RabbitMqConnectionSettings settings() {
        return settings;
    }

    /**
     * Calls back after every automatic recovery of every connection this connector opens (opened before or after this
     * call), once channels, consumers and the recoverable topology are back: for re-declaring what a service needs
     * (its durable topology survives a connection loss, but not a broker that lost its data). Runs on the client's
     * recovery thread, before blocking publishes waiting for the recovery go on: keep it short; an exception it throws
     * is logged and ignored.
     */
    public void onRecovery(Consumer<ConnectionRecovery> callback) {
        recoveryCallbacks.add(Objects.requireNonNull(callback, "callback"));
    }

    /**
     * Opens a recovering connection named {@code <connectionName>-<purpose>} (e.g. {@code orders-publisher}).
     * Blocks for at most the connection timeout per address.
     *
     * @throws BrokerUnavailableException naming the addresses tried and how to provide a broker
     */
    public Connection open(String purpose) {
        return open(purpose, null);
    }

    /**
     * As {@link #open(String)}, with the executor the client dispatches consumer callbacks on (its
     * {@link ConnectionFactory#setSharedExecutor shared executor}: not shut down with the connection), or null for the
     * client's own pool.
     */
    public Connection open(String purpose, @Nullable ExecutorService dispatch) {
        String name = settings.connectionName() + "-" + purpose;
        List<Address> addresses = settings.addresses().stream().map(a -> new Address(a.host(), a.port())).toList();
        ConnectionFactory own = factory.clone();
        if (dispatch != null) {
            own.setSharedExecutor(dispatch);
        }
        RecoveryReporter reporter = new RecoveryReporter(name, recoveryCallbacks);
        own.setExceptionHandler(reporter);
        try {
            Connection connection = settings.shuffleAddresses() ? own.newConnection(addresses, name)
                    : own.newConnection(null, inOrder(addresses), name);
            connection.addShutdownListener(reporter::connectionLost);
            if (connection instanceof Recoverable recoverable) {
                // first among the connection's recovery listeners: callbacks re-declare before publishers resume
                recoverable.addRecoveryListener(reporter);
            }
            return connection;
        } catch (PossibleAuthenticationFailureException e) {
            throw new BrokerUnavailableException("RabbitMQ at " + settings.describeAddresses() + " refused user '"
                    + settings.username() + "' on vhost '" + settings.virtualHost()
                    + "': check RABBITMQ_USER / RABBITMQ_PASSWORD (or the user info of EVENTBUS_RABBITMQ_URL) and the user's "
                    + "permissions on the vhost", e);
        } catch (IOException | TimeoutException e) {
            throw new BrokerUnavailableException("cannot connect to RabbitMQ at " + settings.describeAddresses()
                    + " (vhost '" + settings.virtualHost() + "'): " + describe(e) + ". Start a broker (`rabbitmq-server -detached`, "
                    + "or `docker run -d -p 5672:5672 rabbitmq:3-management`) or point to one with EVENTBUS_RABBITMQ_URL "
                    + "or RABBITMQ_HOST/RABBITMQ_PORT", e);
        }
    }

    /** The addresses in the given order, on the first connection and on every recovery (the client shuffles them). */
    private static AddressResolver inOrder(List<Address> addresses) {
        return new AddressResolver() {
            @Override
            public List<Address> getAddresses() {
                return addresses;
            }

            @Override
            public List<Address> maybeShuffle(List<Address> input) {
                return input;
            }
        };
    }

    /**
     * The client's threads, the connection's reading loop with a large stack: it is the thread that parses header
     * tables. The others (consumer dispatch, heartbeats) keep the default stack, since a reserved stack counts against
     * the commit limit where overcommit is strict. Non-daemon, as the client's default; the client renames them.
     */
    private static ThreadFactory largeStackThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            boolean readingLoop = runnable.getClass().getName().endsWith("AMQConnection$MainLoop");
            return new Thread(null, runnable, "eventbus-amqp-" + count.incrementAndGet(),
                    readingLoop ? CONNECTION_THREAD_STACK_BYTES : 0);
        };
    }

    /**
     * Recovers only what was declared on a channel that is still open: the configurer declares on temporary channels
     * that it closes, and the client would re-declare on those (and fail). Consumers are always recovered.
     */
    static final class OpenChannelsOnly implements TopologyRecoveryFilter {
        @Override
        public boolean filterExchange(RecordedExchange exchange) {
            return declaredOnOpenChannel(exchange);
        }

        @Override
        public boolean filterQueue(RecordedQueue queue) {
            return declaredOnOpenChannel(queue);
        }

        @Override
        public boolean filterBinding(RecordedBinding binding) {
            return declaredOnOpenChannel(binding);
        }

        private static boolean declaredOnOpenChannel(RecordedEntity entity) {
            // channels are recovered before topology, so a channel still in use is open again by now
            return entity.getChannel() != null && entity.getChannel().isOpen();
        }
    }

    private static String describe(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
