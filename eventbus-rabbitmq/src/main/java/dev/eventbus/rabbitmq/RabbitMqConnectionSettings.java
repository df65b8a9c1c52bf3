package dev.eventbus.rabbitmq;

import dev.eventbus.core.ConfigurationException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where and how to connect to RabbitMQ. Immutable; {@link #toString()} never shows the password, and no exception
 * thrown here quotes it, whatever the URI looks like.
 *
 * <p>From a URI ({@code amqp://user:pass@host:5672/vhost}, {@code amqps://...} for TLS, several hosts as
 * {@code amqp://user:pass@host1:5672,host2:5672/vhost}, IPv6 as {@code [::1]:5672}, query parameters
 * {@code heartbeat} (seconds) and {@code connection_timeout} (milliseconds)) or from the environment:
 * {@code EVENTBUS_RABBITMQ_URL}, else petisco's {@code RABBITMQ_HOST} (comma-separated for a cluster),
 * {@code RABBITMQ_PORT}, {@code RABBITMQ_USER}, {@code RABBITMQ_PASSWORD}, {@code RABBITMQ_VHOST}, and
 * {@code RABBITMQ_HEARTBEAT} (seconds). Defaults: localhost:5672, guest/guest, vhost {@code /}.
 *
 * @param addresses                 broker addresses; tried in a random order unless {@code shuffleAddresses} is false
 * @param virtualHost               the vhost
 * @param username                  the user
 * @param password                  the password (never logged)
 * @param tls                       whether to use TLS ({@code amqps})
 * @param connectionName            the client-provided connection name shown in the management UI and {@code rabbitmqctl}
 * @param connectionTimeout         how long to wait for a TCP connection and handshake
 * @param recoveryInterval          wait between automatic recovery attempts
 * @param heartbeat                 the AMQP heartbeat requested (whole seconds; zero turns heartbeats off): the client
 *                                  closes a connection it heard nothing on for about 2.25 heartbeats
 * @param shuffleAddresses          whether each connection attempt tries the addresses in a random order (the
 *                                  client's default, spreading services over a cluster's nodes) or in the given order
 * @param sslContext                the TLS context of this bus's connections, or null for the JVM's default trust
 *                                  store; the server's host name is verified either way
 * @param maxInboundMessageBodySize the largest message body the client accepts, in bytes; a larger one closes the
 *                                  connection, so keep it at least the broker's {@code max_message_size}
 */
public record RabbitMqConnectionSettings(List<Address> addresses, String virtualHost, String username, String password,
                                         boolean tls, String connectionName, Duration connectionTimeout,
                                         Duration recoveryInterval, Duration heartbeat, boolean shuffleAddresses,
                                         SSLContext sslContext, int maxInboundMessageBodySize) {

    /** Environment variable holding a full AMQP URI; it wins over the {@code RABBITMQ_*} variables. */
    public static final String URL_VARIABLE = "EVENTBUS_RABBITMQ_URL";

    /**
     * The default heartbeat, 10 s: a dead link (a half-open connection, a node gone without a word) is noticed by the
     * client within about 23 s and by the broker within about 20 s, while a busy JVM (a GC pause, a saturated CPU)
     * stays far from a false alarm, which values under 5 s risk. RabbitMQ's own default is 60 s.
     */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);

    /**
     * The default largest inbound body, 512 MiB: the most any RabbitMQ accepts ({@code max_message_size} cannot be set
     * higher), so the client never refuses what the broker delivers (the client's own default, 64 MiB, is below
     * RabbitMQ 3.x's default of 128 MiB, and a refused body closes the connection on every redelivery).
     */
    public static final int DEFAULT_MAX_INBOUND_MESSAGE_BODY_SIZE = 512 * 1024 * 1024;

    /**
     * One broker address.
     *
     * @param host host name or IP (an IPv6 address without brackets)
     * @param port TCP port
     */
    public record Address(String host, int port) {
        public Address {
            if (host == null || host.isBlank()) {
                throw new ConfigurationException("RabbitMQ host is empty: give a host such as localhost");
            }
            if (port < 1 || port > 65535) {
                throw new ConfigurationException("RabbitMQ port " + port + " of host " + host + " is not a TCP port (1-65535)");
            }
        }

        /** {@code host:port}, {@code [ipv6]:port}. */
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public RabbitMqConnectionSettings {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new ConfigurationException("no RabbitMQ address given: give at least one host, e.g. amqp://localhost:5672");
        }
        Objects.requireNonNull(virtualHost, "virtualHost");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(connectionName, "connectionName");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        Objects.requireNonNull(recoveryInterval, "recoveryInterval");
        Objects.requireNonNull(heartbeat, "heartbeat");
        if (heartbeat.isNegative() || heartbeat.toMillis() % 1000 != 0 || heartbeat.getSeconds() > 65535) {
            throw new ConfigurationException("heartbeat " + heartbeat + " is not a whole number of seconds from 0 (off) to "
                    + "65535: AMQP negotiates heartbeats in seconds");
        }
        if (maxInboundMessageBodySize < 1) {
            throw new ConfigurationException("maxInboundMessageBodySize " + maxInboundMessageBodySize + " must be 1 or more");
        }
        if (sslContext != null) {
            tls = true;
        }
    }

    /** localhost:5672, guest/guest, vhost {@code /}. */
    public static RabbitMqConnectionSettings localhost() {
        return fromUri("amqp://guest:guest@localhost:5672/%2F");
    }

    /**
     * Settings from an AMQP URI. The default port is 5672 ({@code amqp}) or 5671 ({@code amqps}); a missing vhost
     * is {@code /}; {@code %2F} in the path is {@code /}. The user info runs to the last {@code @}, so the password may
     * hold any character unencoded; an {@code @} in the vhost must be written {@code %40}. Query parameters
     * {@code heartbeat} (seconds) and {@code connection_timeout} (milliseconds) are read; others are ignored.
     *
     * @throws ConfigurationException naming what is wrong with the URI (the password masked, never quoted)
     */
    public static RabbitMqConnectionSettings fromUri(String uri) {
        Objects.requireNonNull(uri, "uri");
        AmqpUri parsed = AmqpUri.parse(uri);
        return new RabbitMqConnectionSettings(parsed.addresses, parsed.virtualHost, parsed.username, parsed.password,
                parsed.tls, "eventbus", parsed.duration(AmqpUri.CONNECTION_TIMEOUT, ChronoUnit.MILLIS, Duration.ofSeconds(10)),
                Duration.ofSeconds(2), parsed.duration(AmqpUri.HEARTBEAT, ChronoUnit.SECONDS, DEFAULT_HEARTBEAT), true, null,
                DEFAULT_MAX_INBOUND_MESSAGE_BODY_SIZE);
    }

    /** Settings from this process's environment variables; see the type's description. */
    public static RabbitMqConnectionSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Settings from the given variables: {@code EVENTBUS_RABBITMQ_URL}, else the {@code RABBITMQ_*} ones.
     *
     * @throws ConfigurationException naming the variable that holds a bad value (never quoting a password)
     */
    public static RabbitMqConnectionSettings fromEnvironment(Map<String, String> env) {
        String url = env.get(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            return fromUri(url.trim());
        }
        String hosts = env.getOrDefault("RABBITMQ_HOST", "localhost");
        int port = number(env, "RABBITMQ_PORT", 5672);
        List<Address> addresses = new ArrayList<>();
        for (String host : hosts.split(",", -1)) {
            addresses.add(AmqpUri.parseAddress(host.trim(), port, "RABBITMQ_HOST=" + hosts));
        }
        return new RabbitMqConnectionSettings(addresses, env.getOrDefault("RABBITMQ_VHOST", "/"),
                env.getOrDefault("RABBITMQ_USER", "guest"), env.getOrDefault("RABBITMQ_PASSWORD", "guest"),
                false, "eventbus", Duration.ofSeconds(10), Duration.ofSeconds(2),
                Duration.ofSeconds(number(env, "RABBITMQ_HEARTBEAT", (int) DEFAULT_HEARTBEAT.getSeconds())), true, null,
                DEFAULT_MAX_INBOUND_MESSAGE_BODY_SIZE);
    }

    private static int number(Map<String, String> env, String variable, int fallback) {
        String text = env.get(variable);
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(variable + " '" + text + "' is not a number: set it to e.g. " + fallback);
        }
    }

    /** The URI with its password replaced by {@code ***}, for logs and errors, whatever the URI looks like. */
    public static String maskPassword(String uri) {
        return AmqpUri.mask(uri);
    }

    /** A copy with another client-provided connection name. */
    public RabbitMqConnectionSettings withConnectionName(String name) {
        return new RabbitMqConnectionSettings(addresses, virtualHost, username, password, tls, name, connectionTimeout,
                recoveryInterval, heartbeat, shuffleAddresses, sslContext, maxInboundMessageBodySize);
    }

    /** A copy with another recovery interval. */
    public RabbitMqConnectionSettings withRecoveryInterval(Duration interval) {
        return new RabbitMqConnectionSettings(addresses, virtualHost, username, password, tls, connectionName,
                connectionTimeout, interval, heartbeat, shuffleAddresses, sslContext, maxInboundMessageBodySize);
    }

    /** A copy with another heartbeat (whole seconds; {@link Duration#ZERO} turns heartbeats off). Default 10 s. */
    public RabbitMqConnectionSettings withHeartbeat(Duration heartbeat) {
        return new RabbitMqConnectionSettings(addresses, virtualHost, username, password, tls, connectionName,
                connectionTimeout, recoveryInterval, heartbeat, shuffleAddresses, sslContext, maxInboundMessageBodySize);
    }

    /** A copy with another connection (TCP and handshake) timeout. Default 10 s. */
    public RabbitMqConnectionSettings withConnectionTimeout(Duration timeout) {
        return new RabbitMqConnectionSettings(addresses, virtualHost, username, password, tls, connectionName,
                timeout, recoveryInterval, heartbeat, shuffleAddresses, sslContext, maxInboundMessageBodySize);
    }

    /**
     * A copy that tries the addresses in a random order ({@code true}, the default) or in the given order
     * ({@code false}: the first that answers wins, e.g. a preferred node and a fallback).
     */
    public RabbitMqConnectionSettings withShuffledAddresses(boolean shuffle) {
        return new RabbitMqConnectionSettings(addresses, virtualHost, username, password, tls, connectionName,
                connectionTimeout, recoveryInterval, heartbeat, shuffle, sslContext, maxInboundMessageBodySize);
    }

    /** A copy with another largest inbound message body, in bytes. Default {@value #DEFAULT_MAX_INBOUND_MESSAGE_BODY_SIZE}. */
    public RabbitMqConnectionSettings withMaxInboundMessageBodySize(int bytes) {
        return new RabbitMqConnectionSettings(addresses, virtualHost, username, password, tls, connectionName,
                connectionTimeout, recoveryInterval, heartbeat, shuffleAddresses, sslContext, bytes);
    }

    /**
     * A copy using TLS with this context (its trust managers decide which server certificates are trusted, its key
     * managers which client certificate is shown), for this bus only. The server's host name is still verified.
     */
    public RabbitMqConnectionSettings withTls(SSLContext context) {
        return new RabbitMqConnectionSettings(addresses, virtualHost, username, password, true, connectionName,
                connectionTimeout, recoveryInterval, heartbeat, shuffleAddresses, Objects.requireNonNull(context, "context"),
                maxInboundMessageBodySize);
    }

    /**
     * A copy using TLS that trusts the certificates of a trust store file (PKCS12 or JKS) instead of the JVM's,
     * for this bus only. The server's host name is still verified.
     *
     * @param password the store's password, or null for none
     * @throws ConfigurationException naming the file if it cannot be read as a trust store
     */
    public RabbitMqConnectionSettings withTrustStore(Path trustStore, char[] password) {
        Objects.requireNonNull(trustStore, "trustStore");
        try {
            KeyStore store = KeyStore.getInstance(trustStore.toFile(), password);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return withTls(context);
        } catch (IOException | GeneralSecurityException e) {
            // the message of a wrong password says only "keystore password was incorrect": safe to pass on
            throw new ConfigurationException("cannot read trust store " + trustStore + " (PKCS12 or JKS): " + e.getMessage(), e);
        }
    }

    /** The addresses as {@code host:port,host:port}. */
    public String describeAddresses() {
        return String.join(",", addresses.stream().map(Address::toString).toList());
    }

    /** A URI equivalent to these settings, password included: for handing to other tools, never for logs. */
    public String toUri() {
        return (tls ? "amqps" : "amqp") + "://" + encode(username) + ":" + encode(password) + "@" + describeAddresses() + "/"
                + encode(virtualHost) + "?" + AmqpUri.HEARTBEAT + "=" + heartbeat.getSeconds() + "&" + AmqpUri.CONNECTION_TIMEOUT
                + "=" + connectionTimeout.toMillis();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return (tls ? "amqps" : "amqp") + "://" + username + ":***@" + describeAddresses() + " vhost " + virtualHost
                + " (" + connectionName + ", heartbeat " + heartbeat.getSeconds() + " s"
                + (sslContext != null ? ", own TLS context" : "") + (shuffleAddresses ? "" : ", addresses in order") + ")";
    }
}
