package dev.eventbus.rabbitmq.internal.connection;

import dev.eventbus.rabbitmq.BrokerUnavailableException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * Opens connections to RabbitMQ with automatic recovery (connection, channels, topology and consumers)
 * turned on, from {@link RabbitMqConnectionSettings}. Thread-safe.
 *
 * <p>TLS ({@code amqps}) verifies the server's certificate and host name against the JVM's default trust
 * store ({@code javax.net.ssl.trustStore} to use another).
 */
public final class RabbitMqConnector {

    private final RabbitMqConnectionSettings settings;
    private final ConnectionFactory factory;

    /** A connector for the given settings. Opens nothing until {@link #open(String)}. */
    public RabbitMqConnector(RabbitMqConnectionSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.factory = new ConnectionFactory();
        factory.setVirtualHost(settings.virtualHost());
        factory.setUsername(settings.username());
        factory.setPassword(settings.password());
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(settings.recoveryInterval().toMillis());
        factory.setConnectionTimeout((int) settings.connectionTimeout().toMillis());
        factory.setHandshakeTimeout((int) settings.connectionTimeout().toMillis());
        factory.setRequestedHeartbeat(30);
        if (settings.tls()) {
            try {
                factory.useSslProtocol(SSLContext.getDefault());
                factory.enableHostnameVerification();
            } catch (NoSuchAlgorithmException e) {
                throw new BrokerUnavailableException("this JVM has no default TLS context, so amqps cannot be used: "
                        + e.getMessage(), e);
            }
        }
    }

    /** The settings this connector uses. */
    public RabbitMqConnectionSettings settings() {
        return settings;
    }

    /**
     * Opens a recovering connection named {@code <connectionName>-<purpose>} (e.g. {@code orders-publisher}).
     * Blocks for at most the connection timeout per address.
     *
     * @throws BrokerUnavailableException naming the addresses tried and how to provide a broker
     */
    public Connection open(String purpose) {
        String name = settings.connectionName() + "-" + purpose;
        List<Address> addresses = settings.addresses().stream().map(a -> new Address(a.host(), a.port())).toList();
        try {
            return factory.newConnection(addresses, name);
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

    private static String describe(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
