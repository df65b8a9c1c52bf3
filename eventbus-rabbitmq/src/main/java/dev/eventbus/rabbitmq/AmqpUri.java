package dev.eventbus.rabbitmq;

import dev.eventbus.core.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits an AMQP URI into the parts {@link RabbitMqConnectionSettings} needs, and masks its password.
 *
 * <p>The user info is everything between {@code ://} and the <em>last</em> {@code @} of the URI, so a password may
 * hold any character, even an unencoded {@code /}, {@code ?}, {@code #}, {@code ,} or {@code @} (common in generated
 * secrets); the price is that an {@code @} after the host (in the vhost) must be written {@code %40}. Masking uses
 * the same split, so no error message built from {@link #masked()} can contain the password, whatever the URI looks
 * like. Errors never quote the password, nor the text it was decoded from.
 */
final class AmqpUri {

    /** Query parameters understood; others are ignored, as other clients' URIs carry their own. */
    static final String HEARTBEAT = "heartbeat";
    static final String CONNECTION_TIMEOUT = "connection_timeout";

    final boolean tls;
    final String username;
    final String password;
    final List<RabbitMqConnectionSettings.Address> addresses;
    final String virtualHost;
    final Map<String, String> query;
    private final String masked;

    private AmqpUri(boolean tls, String username, String password, List<RabbitMqConnectionSettings.Address> addresses,
                    String virtualHost, Map<String, String> query, String masked) {
        this.tls = tls;
        this.username = username;
        this.password = password;
        this.addresses = addresses;
        this.virtualHost = virtualHost;
        this.query = query;
        this.masked = masked;
    }

    /** The URI as given, with its password replaced by {@code ***}. */
    String masked() {
        return masked;
    }

    /** A duration query parameter, or the fallback when absent. */
    Duration duration(String name, java.time.temporal.ChronoUnit unit, Duration fallback) {
        String value = query.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            long amount = Long.parseLong(value.trim());
            if (amount < 0) {
                throw new NumberFormatException();
            }
            return Duration.of(amount, unit);
        } catch (NumberFormatException e) {
            throw new ConfigurationException("query parameter " + name + "='" + value + "' of RabbitMQ URI '" + masked
                    + "' is not a number of " + unit.toString().toLowerCase(Locale.ROOT) + " (0 or more)");
        }
    }

    static AmqpUri parse(String uri) {
        String masked = mask(uri);
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            throw new ConfigurationException("RabbitMQ URI '" + masked + "' has no scheme: write amqp://host:5672 or amqps://host:5671");
        }
        String scheme = uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
            throw new ConfigurationException("RabbitMQ URI '" + masked + "' has scheme '" + scheme + "': use amqp or amqps");
        }
        boolean tls = scheme.equals("amqps");
        String rest = uri.substring(schemeEnd + 3);
        String username = "guest";
        String password = "guest";
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user name", masked, true);
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1), "password", masked, false);
        }
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        String queryText = "";
        int queryStart = rest.indexOf('?');
        if (queryStart >= 0) {
            queryText = rest.substring(queryStart + 1);
            rest = rest.substring(0, queryStart);
        }
        int pathStart = rest.indexOf('/');
        String authority = pathStart < 0 ? rest : rest.substring(0, pathStart);
        String path = pathStart < 0 ? "" : rest.substring(pathStart + 1);
        List<RabbitMqConnectionSettings.Address> addresses = new ArrayList<>();
        for (String hostPort : authority.split(",", -1)) {
            addresses.add(parseAddress(hostPort.trim(), tls ? 5671 : 5672, "RabbitMQ URI '" + masked + "'"));
        }
        String vhost = path.isEmpty() ? "/" : decode(path, "virtual host", masked, true);
        return new AmqpUri(tls, username, password, List.copyOf(addresses), vhost, query(queryText, masked), masked);
    }

    private static Map<String, String> query(String text, String masked) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return parameters;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String key = decode(equals < 0 ? pair : pair.substring(0, equals), "query parameter", masked, true);
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1), "query parameter " + key, masked, true);
            parameters.put(key, value);
        }
        return parameters;
    }

    /**
     * One {@code host[:port]} or {@code [ipv6][:port]}.
     *
     * @param source names where the address came from in errors; it must not hold a password
     */
    static RabbitMqConnectionSettings.Address parseAddress(String hostPort, int defaultPort, String source) {
        if (hostPort.isEmpty()) {
            throw new ConfigurationException("empty host in " + source + ": write host[:port], hosts separated by commas");
        }
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            if (end < 0) {
                throw new ConfigurationException("address '" + hostPort + "' in " + source
                        + " opens an IPv6 bracket without closing it: write [::1]:5672");
            }
            String host = hostPort.substring(1, end);
            String after = hostPort.substring(end + 1);
            if (after.isEmpty()) {
                return new RabbitMqConnectionSettings.Address(host, defaultPort);
            }
            if (!after.startsWith(":")) {
                throw new ConfigurationException("address '" + hostPort + "' in " + source
                        + " has '" + after + "' after its IPv6 address: write [::1]:5672");
            }
            return new RabbitMqConnectionSettings.Address(host, parsePort(after.substring(1), hostPort, source));
        }
        int colon = hostPort.indexOf(':');
        if (colon < 0) {
            return new RabbitMqConnectionSettings.Address(hostPort, defaultPort);
        }
        if (hostPort.indexOf(':', colon + 1) >= 0) {
            throw new ConfigurationException("address '" + hostPort + "' in " + source + " has more than one ':': write "
                    + "host:port, an IPv6 address in brackets ([::1]:5672), and separate hosts with commas");
        }
        return new RabbitMqConnectionSettings.Address(hostPort.substring(0, colon),
                parsePort(hostPort.substring(colon + 1), hostPort, source));
    }

    private static int parsePort(String text, String address, String source) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new ConfigurationException("port '" + text + "' of address '" + address + "' in " + source
                    + " is not a number: write host:port, e.g. localhost:5672");
        }
    }

    /**
     * Percent-decodes one part as UTF-8 ({@code +} stays {@code +}).
     *
     * @param quote whether the error may quote the text (never for a password)
     */
    private static String decode(String text, String what, String masked, boolean quote) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                    encoded = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(encoded);
                continue;
            }
            int high = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
            int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
            if (high < 0 || low < 0) {
                throw invalid(what, masked, quote ? " ('" + text + "')" : "",
                        "has a '%' not followed by two hex digits: write a literal % as %25");
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw invalid(what, masked, quote ? " ('" + text + "')" : "", "percent-decodes to bytes that are not UTF-8");
        }
    }

    private static ConfigurationException invalid(String what, String masked, String quoted, String rule) {
        return new ConfigurationException("the " + what + quoted + " of RabbitMQ URI '" + masked + "' " + rule);
    }

    /**
     * The URI with the password replaced by {@code ***}: the text between the first {@code :} of the user info and
     * the last {@code @} (the same split {@link #parse} uses). Without {@code ://}, everything before the last
     * {@code @} is masked.
     */
    static String mask(String uri) {
        int at = uri.lastIndexOf('@');
        if (at < 0) {
            return uri;
        }
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0 || schemeEnd > at) {
            return "***" + uri.substring(at);
        }
        int userStart = schemeEnd + 3;
        int colon = uri.indexOf(':', userStart);
        if (colon < 0 || colon > at) {
            return uri;
        }
        return uri.substring(0, colon) + ":***" + uri.substring(at);
    }
}
