package dev.eventbus.rabbitmq;

import dev.eventbus.core.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how to connect to RabbitMQ. Immutable; {@link #toString()} never shows the password.
 *
 * <p>From a URI ({@code amqp://user:pass@host:5672/vhost}, {@code amqps://...} for TLS, several hosts as
 * {@code amqp://user:pass@host1:5672,host2:5672/vhost}) or from the environment: {@code EVENTBUS_RABBITMQ_URL},
 * else petisco's {@code RABBITMQ_HOST} (comma-separated for a cluster), {@code RABBITMQ_PORT},
 * {@code RABBITMQ_USER}, {@code RABBITMQ_PASSWORD}, {@code RABBITMQ_VHOST}. Defaults: localhost:5672, guest/guest,
 * vhost {@code /}.
 *
 * @param addresses         broker addresses, tried in order (the client shuffles none: list the preferred first)
 * @param virtualHost       the vhost
 * @param username          the user
 * @param password          the password (never logged)
 * @param tls               whether to use TLS ({@code amqps})
 * @param connectionName    the client-provided connection name shown in the management UI and {@code rabbitmqctl}
 * @param connectionTimeout how long to wait for a TCP connection and handshake
 * @param recoveryInterval  wait between automatic recovery attempts
 */
public record RabbitMqConnectionSettings(List<Address> addresses, String virtualHost, String username, String password,
                                         boolean tls, String connectionName, Duration connectionTimeout,
                                         Duration recoveryInterval) {

    /** Environment variable holding a full AMQP URI; it wins over the {@code RABBITMQ_*} variables. */
    public static final String URL_VARIABLE = "EVENTBUS_RABBITMQ_URL";

    /**
     * One broker address.
     *
     * @param host host name or IP
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

        @Override
        public String toString() {
            return host + ":" + port;
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
    }

    /** localhost:5672, guest/guest, vhost {@code /}. */
    public static RabbitMqConnectionSettings localhost() {
        return fromUri("amqp://guest:guest@localhost:5672/%2F");
    }

    /**
     * Settings from an AMQP URI. The default port is 5672 ({@code amqp}) or 5671 ({@code amqps}); a missing vhost
     * is {@code /}; {@code %2F} in the path is {@code /}.
     *
     * @throws ConfigurationException naming what is wrong with the URI (the password is masked)
     */
    public static RabbitMqConnectionSettings fromUri(String uri) {
        Objects.requireNonNull(uri, "uri");
        String masked = maskPassword(uri);
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            throw new ConfigurationException("RabbitMQ URI '" + masked + "' has no scheme: write amqp://host:5672 or amqps://host:5671");
        }
        String scheme = uri.substring(0, schemeEnd).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
            throw new ConfigurationException("RabbitMQ URI '" + masked + "' has scheme '" + scheme + "': use amqp or amqps");
        }
        boolean tls = scheme.equals("amqps");
        int defaultPort = tls ? 5671 : 5672;
        String rest = uri.substring(schemeEnd + 3);
        int pathStart = rest.indexOf('/');
        String authority = pathStart < 0 ? rest : rest.substring(0, pathStart);
        String path = pathStart < 0 ? "" : rest.substring(pathStart + 1);
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        String username = "guest";
        String password = "guest";
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        }
        List<Address> addresses = new ArrayList<>();
        for (String hostPort : authority.split(",")) {
            addresses.add(parseAddress(hostPort.trim(), defaultPort, masked));
        }
        String vhost = path.isEmpty() ? "/" : decode(path);
        return new RabbitMqConnectionSettings(addresses, vhost, username, password, tls, "eventbus",
                Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    /** Settings from this process's environment variables; see the type's description. */
    public static RabbitMqConnectionSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Settings from the given variables: {@code EVENTBUS_RABBITMQ_URL}, else the {@code RABBITMQ_*} ones.
     *
     * @throws ConfigurationException naming the variable that holds a bad value
     */
    public static RabbitMqConnectionSettings fromEnvironment(Map<String, String> env) {
        String url = env.get(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            return fromUri(url.trim());
        }
        String hosts = env.getOrDefault("RABBITMQ_HOST", "localhost");
        String portText = env.getOrDefault("RABBITMQ_PORT", "5672");
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException("RABBITMQ_PORT '" + portText + "' is not a number: set it to a TCP port such as 5672");
        }
        List<Address> addresses = new ArrayList<>();
        for (String host : hosts.split(",")) {
            addresses.add(parseAddress(host.trim(), port, "RABBITMQ_HOST=" + hosts));
        }
        return new RabbitMqConnectionSettings(addresses, env.getOrDefault("RABBITMQ_VHOST", "/"),
                env.getOrDefault("RABBITMQ_USER", "guest"), env.getOrDefault("RABBITMQ_PASSWORD", "guest"),
                false, "eventbus", Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    private static Address parseAddress(String hostPort, int defaultPort, String source) {
        if (hostPort.isEmpty()) {
            throw new ConfigurationException("empty host in '" + source + "': write host[:port], hosts separated by commas");
        }
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            String host = hostPort.substring(1, end);
            String port = hostPort.substring(end + 1);
            return new Address(host, port.startsWith(":") ? parsePort(port.substring(1), source) : defaultPort);
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            return new Address(hostPort, defaultPort);
        }
        return new Address(hostPort.substring(0, colon), parsePort(hostPort.substring(colon + 1), source));
    }

    private static int parsePort(String text, String source) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new ConfigurationException("port '" + text + "' in '" + source + "' is not a number");
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URI with its password replaced by {@code ***}, for logs and errors. */
    public static String maskPassword(String uri) {
        try {
            URI parsed = new URI(uri.contains(",") ? uri.substring(0, uri.indexOf(',')) : uri);
            String userInfo = parsed.getRawUserInfo();
            if (userInfo != null && userInfo.contains(":")) {
                return uri.replace(userInfo, userInfo.substring(0, userInfo.indexOf(':')) + ":***");
            }
            return uri;
        } catch (URISyntaxException e) {
            int at = uri.lastIndexOf('@');
            int scheme = uri.indexOf("://");
            return at > scheme && scheme >= 0 ? uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1) : uri;
        }
    }

    /** A copy with another client-provided connection name. */
    public RabbitMqConnectionSettings withConnectionName(String name) {
        return new RabbitMqConnectionSettings(addresses, virtualHost, username, password, tls, name, connectionTimeout,
                recoveryInterval);
    }

    /** A copy with another recovery interval. */
    public RabbitMqConnectionSettings withRecoveryInterval(Duration interval) {
        return new RabbitMqConnectionSettings(addresses, virtualHost, username, password, tls, connectionName,
                connectionTimeout, interval);
    }

    /** The addresses as {@code host:port,host:port}. */
    public String describeAddresses() {
        return String.join(",", addresses.stream().map(Address::toString).toList());
    }

    /** A URI equivalent to these settings, password included: for handing to other tools, never for logs. */
    public String toUri() {
        String vhost = java.net.URLEncoder.encode(virtualHost, StandardCharsets.UTF_8);
        return (tls ? "amqps" : "amqp") + "://" + java.net.URLEncoder.encode(username, StandardCharsets.UTF_8) + ":"
                + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8) + "@" + describeAddresses() + "/" + vhost;
    }

    @Override
    public String toString() {
        return (tls ? "amqps" : "amqp") + "://" + username + ":***@" + describeAddresses() + " vhost " + virtualHost
                + " (" + connectionName + ")";
    }
}
