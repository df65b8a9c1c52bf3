package dev.eventbus.cli;

import com.rabbitmq.client.Connection;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.internal.connection.RabbitMqConnector;
import java.net.URI;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where the broker is: the options every command that talks to RabbitMQ mixes in. The AMQP settings are read as the
 * library reads them ({@link RabbitMqConnectionSettings#fromEnvironment()}) unless {@code --url} is given; the
 * management API (for {@code diff} and {@code migrate --dry-run}) defaults to the AMQP URL's first host on the AMQP port
 * plus 10000 (RabbitMQ's 15672 for 5672), with the AMQP user. No password is ever printed: {@link #describe()} masks it.
 */
final class ConnectionOptions {

    /** The connection name the broker shows for the command line's connections. */
    static final String CONNECTION_NAME = "eventbus-cli";

    @Option(names = {"-u", "--url"}, paramLabel = "<amqp-uri>",
            description = "AMQP URI, e.g. amqp://user:pass@host:5672/vhost. Default: EVENTBUS_RABBITMQ_URL, else "
                    + "RABBITMQ_HOST/PORT/USER/PASSWORD/VHOST, else amqp://guest:guest@localhost:5672/.")
    @Nullable String url;

    @Option(names = "--management-url", paramLabel = "<http-url>",
            description = "RabbitMQ management API. Default: EVENTBUS_MANAGEMENT_URL, else http://<AMQP host>:<AMQP port + "
                    + "10000> (15672 for 5672; https for amqps).")
    @Nullable String managementUrl;

    @Option(names = "--management-user", paramLabel = "<user>",
            description = "Management API user. Default: EVENTBUS_MANAGEMENT_USER, else the AMQP user.")
    @Nullable String managementUser;

    @Option(names = "--management-password", paramLabel = "<password>", arity = "0..1", interactive = true,
            description = "Management API password (without a value: asked for). Default: EVENTBUS_MANAGEMENT_PASSWORD, "
                    + "else the AMQP password.")
    char @Nullable [] managementPassword;

    private Map<String, String> environment = System.getenv();

    /** For tests: the environment to read instead of the process's. */
    ConnectionOptions environment(Map<String, String> environment) {
        this.environment = environment;
        return this;
    }

    /** The AMQP settings, named {@value #CONNECTION_NAME}. */
    RabbitMqConnectionSettings settings() {
        RabbitMqConnectionSettings settings = url != null ? RabbitMqConnectionSettings.fromUri(url)
                : RabbitMqConnectionSettings.fromEnvironment(environment);
        return settings.withConnectionName(CONNECTION_NAME);
    }

    /** The broker as people may see it: addresses and vhost, never the password. */
    String describe() {
        RabbitMqConnectionSettings settings = settings();
        return settings.username() + "@" + settings.describeAddresses() + " vhost " + settings.virtualHost();
    }

    /**
     * Opens a connection named {@code eventbus-cli-<purpose>}.
     *
     * @throws dev.eventbus.rabbitmq.BrokerUnavailableException naming the broker and what to do
     */
    Connection open(String purpose) {
        return new RabbitMqConnector(settings()).open(purpose);
    }

    /** The management API client for this broker. */
    ManagementClient management() {
        RabbitMqConnectionSettings settings = settings();
        String base = managementUrl != null ? managementUrl : environment.get("EVENTBUS_MANAGEMENT_URL");
        if (base == null || base.isBlank()) {
            // RabbitMQ's defaults: 5672 -> 15672, and amqps 5671 -> https 15671
            String host = settings.addresses().get(0).host();
            int port = settings.addresses().get(0).port() + 10000;
            base = (settings.tls() ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
        URI uri;
        try {
            uri = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("management URL '" + base + "' is not a URL: give one such as "
                    + "http://localhost:15672 with --management-url or EVENTBUS_MANAGEMENT_URL");
        }
        if (uri.getUserInfo() != null) {
            throw new ConfigurationException("management URL " + uri.getScheme() + "://***@" + uri.getHost()
                    + " carries credentials: give them with --management-user/--management-password or "
                    + "EVENTBUS_MANAGEMENT_USER/EVENTBUS_MANAGEMENT_PASSWORD instead");
        }
        String user = managementUser != null ? managementUser
                : environment.getOrDefault("EVENTBUS_MANAGEMENT_USER", settings.username());
        String password = managementPassword != null ? new String(managementPassword)
                : environment.getOrDefault("EVENTBUS_MANAGEMENT_PASSWORD", settings.password());
        return new ManagementClient(uri, user, password, settings.virtualHost());
    }
}
