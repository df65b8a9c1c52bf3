package dev.eventbus.cli;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import java.net.URI;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where the RabbitMQ management API is, for the commands that read queue arguments and bindings ({@code diff},
 * {@code migrate --dry-run}): by default the AMQP URL's first host on the AMQP port plus 10000 (RabbitMQ's 15672 for
 * 5672, https for amqps), with the AMQP user and password. No password is ever printed.
 */
final class ManagementOptions {

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

    /** The management API client for this broker. */
    ManagementClient client(ConnectionOptions connection) {
        RabbitMqConnectionSettings settings = connection.settings();
        Map<String, String> environment = connection.environment();
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
