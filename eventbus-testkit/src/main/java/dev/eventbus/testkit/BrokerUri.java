package dev.eventbus.testkit;

import com.rabbitmq.client.ConnectionFactory;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;

/**
 * An AMQP URI of a test broker, with its password kept out of {@link #toString()}. Immutable.
 *
 * <p>Its virtual host is the one the bus reads from the same URI ({@link RabbitMqConnectionSettings#fromUri}): no
 * path and a trailing {@code /} both mean {@code /}, {@code %2F} is {@code /}, anything else is URL-decoded. (amqp-client
 * alone reads a trailing {@code /} as the empty vhost; the testkit must not clean up elsewhere than the bus declares.)
 *
 * @param value the URI as given, credentials included
 */
record BrokerUri(String value) {

    BrokerUri {
        if (value == null || value.isBlank()) {
            throw new ConfigurationException("broker URI is empty: give one such as amqp://guest:guest@localhost:5672");
        }
        value = value.strip();
        try {
            new ConnectionFactory().setUri(value);
        } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigurationException("broker URI '" + mask(value) + "' is not a valid AMQP URI (" + e.getMessage()
                    + "): use amqp://user:password@host:5672/vhost, with the vhost URL-encoded (%2F for /)", e);
        }
    }

    /** The URI with its password replaced by {@code ****}: safe to log. */
    String display() {
        return mask(value);
    }

    /** The virtual host the URI names, as the bus reads it: no path or a trailing {@code /} mean {@code /}. */
    String virtualHost() {
        return RabbitMqConnectionSettings.fromUri(value).virtualHost();
    }

    /** The port the URI names, or the scheme's default (5672, 5671 for {@code amqps}). */
    int port() {
        return factory().getPort();
    }

    /** Whether the URI is {@code amqps}. */
    boolean tls() {
        return value.regionMatches(true, 0, "amqps:", 0, 6);
    }

    /** The host the URI names. */
    String host() {
        return factory().getHost();
    }

    /** Whether the host is this machine, so that a local {@code rabbitmqctl} manages the same broker. */
    boolean isLoopback() {
        String host = host();
        if ("localhost".equalsIgnoreCase(host)) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The same broker and credentials on another virtual host. */
    BrokerUri withVirtualHost(String virtualHost) {
        URI parsed = URI.create(value);
        String authority = parsed.getRawAuthority();
        return new BrokerUri(parsed.getScheme() + "://" + authority + "/"
                + java.net.URLEncoder.encode(virtualHost, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The user the URI names. */
    String username() {
        return factory().getUsername();
    }

    /** The password the URI names ({@code guest} when it names no user). Never log it. */
    String password() {
        return factory().getPassword();
    }

    /** A connection factory set from this URI, on the {@link #virtualHost()} the bus would use. */
    ConnectionFactory factory() {
        return configure(new ConnectionFactory());
    }

    /** Sets the factory's address, credentials, TLS and virtual host from this URI; returns it. */
    <F extends ConnectionFactory> F configure(F factory) {
        try {
            factory.setUri(value);
        } catch (URISyntaxException | GeneralSecurityException e) {
            throw new ConfigurationException("broker URI '" + display() + "' is not valid: " + e.getMessage(), e);
        }
        factory.setVirtualHost(virtualHost());
        return factory;
    }

    @Override
    public String toString() {
        return display();
    }

    /** Replaces the password of an AMQP URI with {@code ****}; returns unparseable input with everything after the scheme hidden. */
    static String mask(String uri) {
        try {
            URI parsed = new URI(uri);
            String userInfo = parsed.getRawUserInfo();
            if (userInfo == null) {
                return uri;
            }
            int colon = userInfo.indexOf(':');
            String masked = colon < 0 ? userInfo : userInfo.substring(0, colon) + ":****";
            return uri.replaceFirst(java.util.regex.Pattern.quote(userInfo + "@"),
                    java.util.regex.Matcher.quoteReplacement(masked + "@"));
        } catch (URISyntaxException e) {
            int scheme = uri.indexOf("://");
            return scheme < 0 ? "****" : uri.substring(0, scheme + 3) + "****";
        }
    }
}
