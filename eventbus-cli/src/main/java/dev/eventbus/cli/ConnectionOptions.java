package dev.eventbus.cli;

import com.rabbitmq.client.Connection;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.internal.connection.RabbitMqConnector;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where the broker is: the options every command that talks to RabbitMQ mixes in. The AMQP settings are read as the
 * library reads them ({@link RabbitMqConnectionSettings#fromEnvironment()}) unless {@code --url} is given. No password
 * is ever printed: {@link #describe()} leaves it out.
 */
final class ConnectionOptions {

    /** The connection name the broker shows for the command line's connections. */
    static final String CONNECTION_NAME = "eventbus-cli";

    @Option(names = {"-u", "--url"}, paramLabel = "<amqp-uri>",
            description = "AMQP URI, e.g. amqp://user:pass@host:5672/vhost. Default: EVENTBUS_RABBITMQ_URL, else "
                    + "RABBITMQ_HOST/PORT/USER/PASSWORD/VHOST, else amqp://guest:guest@localhost:5672/.")
    @Nullable String url;

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

    /** The environment the settings are read from. */
    Map<String, String> environment() {
        return environment;
    }
}
