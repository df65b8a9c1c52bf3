package dev.eventbus.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbus.core.EventBusException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The RabbitMQ management HTTP API of a test broker, when its plugin is enabled: lists the queues and exchanges of a
 * virtual host (the testkit's cleanup looks there for what a test declared through connections it did not see), and
 * creates and deletes virtual hosts. Immutable and thread-safe; every call blocks for one or a few HTTP requests.
 *
 * <p>Where it is: {@code EVENTBUS_RABBITMQ_MANAGEMENT_URL} (or {@code -Deventbus.rabbitmq.management.url}) names it,
 * e.g. {@code http://localhost:15672} ({@code none} turns it off); credentials are the AMQP URI's unless the URL has
 * its own. Otherwise it is looked for where RabbitMQ puts it by default: the AMQP host, on the AMQP port plus 10000
 * (5672 gives 15672, {@code https} for {@code amqps}), and used only if that API's node has an AMQP listener on the
 * AMQP URI's port, so that it never lists another node's queues.
 */
final class ManagementApi {

    static final String URL_VARIABLE = "EVENTBUS_RABBITMQ_MANAGEMENT_URL";
    static final String URL_PROPERTY = "eventbus.rabbitmq.management.url";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final int PAGE_SIZE = 500;

    private final URI base;
    private final String authorization;
    private final HttpClient http;

    private ManagementApi(URI base, String username, String password) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    /**
     * The API of this broker, or why there is none. Runs one HTTP request; never throws.
     *
     * @param uri              the broker's AMQP URI, whose credentials the API takes unless its URL has its own
     * @param environment      reads environment variables
     * @param systemProperties reads system properties
     */
    static Located locate(BrokerUri uri, Function<String, String> environment, Function<String, String> systemProperties) {
        String named = firstNonBlank(systemProperties.apply(URL_PROPERTY), environment.apply(URL_VARIABLE));
        if (named != null) {
            return named.equalsIgnoreCase("none") ? Located.absent("turned off: " + URL_VARIABLE + " (or -D" + URL_PROPERTY + ") is none")
                    : locate(uri, named, true);
        }
        String guessed = (uri.tls() ? "https" : "http") + "://" + hostForUrl(uri.host()) + ":" + (uri.port() + 10000);
        return locate(uri, guessed, false);
    }

    /**
     * The API at the given URL, or why it cannot be used. Runs one HTTP request; never throws.
     *
     * @param trusted whether the URL was named by the user (or a container), so that its listeners are not compared
     *                with the AMQP port (a container maps its ports to others)
     */
    static Located locate(BrokerUri uri, String url, boolean trusted) {
        URI parsed;
        try {
            parsed = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            return Located.absent("'" + url + "' named by " + URL_VARIABLE + " is not a URL (" + e.getMessage() + ")");
        }
        if (parsed.getScheme() == null || parsed.getHost() == null) {
            return Located.absent("'" + url + "' named by " + URL_VARIABLE + " is not an http(s) URL such as http://localhost:15672");
        }
        String username = uri.username();
        String password = uri.password();
        if (parsed.getRawUserInfo() != null) {
            String[] userInfo = parsed.getRawUserInfo().split(":", 2);
            username = decode(userInfo[0]);
            password = userInfo.length > 1 ? decode(userInfo[1]) : "";
        }
        String path = parsed.getRawPath() == null ? "" : parsed.getRawPath().replaceAll("/+$", "");
        URI base = URI.create(parsed.getScheme() + "://" + hostForUrl(parsed.getHost())
                + (parsed.getPort() < 0 ? "" : ":" + parsed.getPort()) + path + "/");
        int port = parsed.getPort() >= 0 ? parsed.getPort() : parsed.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        if (!BrokerSelector.reachable(parsed.getHost(), port)) {
            // a plain connect first: it answers at once where most brokers have no API, without an HTTP client
            return Located.absent("nothing answers at " + base);
        }
        ManagementApi api = new ManagementApi(base, username, password);
        try {
            JsonNode overview = api.get("api/overview");
            if (!trusted) {
                List<Integer> amqpPorts = new ArrayList<>();
                for (JsonNode listener : overview.path("listeners")) {
                    if (listener.path("protocol").asText().startsWith("amqp")) {
                        amqpPorts.add(listener.path("port").asInt());
                    }
                }
                if (!amqpPorts.contains(uri.port())) {
                    return Located.absent("the management API at " + base + " belongs to node " + overview.path("node").asText()
                            + ", whose AMQP listeners are on " + amqpPorts + ", not on the test broker's port " + uri.port()
                            + "; set " + URL_VARIABLE + " to the broker's management URL");
                }
            }
            return new Located(Optional.of(api), "");
        } catch (EventBusException e) {
            return Located.absent(e.getMessage());
        }
    }

    /** The names of the queues of a virtual host that contain the text. */
    List<String> queueNamesContaining(String virtualHost, String text) {
        return namesContaining("api/queues/" + encode(virtualHost), text);
    }

    /** The names of the exchanges of a virtual host that contain the text. */
    List<String> exchangeNamesContaining(String virtualHost, String text) {
        return namesContaining("api/exchanges/" + encode(virtualHost), text);
    }

    /** Creates a virtual host and gives the user every permission on it. */
    void addVirtualHost(String name, String user) {
        send("PUT", "api/vhosts/" + encode(name), "{}");
        send("PUT", "api/permissions/" + encode(name) + "/" + encode(user), "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
    }

    /** Deletes a virtual host with everything in it; one that does not exist counts as deleted. */
    void deleteVirtualHost(String name) {
        send("DELETE", "api/vhosts/" + encode(name), null);
    }

    /** Where the API is, without credentials. */
    URI base() {
        return base;
    }

    @Override
    public String toString() {
        return "management API " + base;
    }

    private List<String> namesContaining(String path, String text) {
        List<String> names = new ArrayList<>();
        // Pagination is what makes the API filter by name; "name" matches a part of the name when use_regex is false.
        for (int page = 1, pages = 1; page <= pages; page++) {
            JsonNode result = get(path + "?columns=name&use_regex=false&page_size=" + PAGE_SIZE + "&page=" + page + "&name="
                    + URLEncoder.encode(text, StandardCharsets.UTF_8));
            for (JsonNode item : result.path("items")) {
                String name = item.path("name").asText();
                if (name.contains(text)) {
                    names.add(name);
                }
            }
            pages = Math.max(1, result.path("page_count").asInt(1));
        }
        return names;
    }

    private JsonNode get(String path) {
        HttpResponse<String> response = exchange(request(path).GET().build(), "GET " + path);
        if (response.statusCode() != 200) {
            throw failure("GET " + path, response);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new EventBusException("the " + this + " answered GET " + path + " with unreadable JSON: " + e.getMessage(), e);
        }
    }

    private void send(String method, String path, String body) {
        HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = exchange(request.build(), method + " " + path);
        boolean ok = response.statusCode() / 100 == 2 || (method.equals("DELETE") && response.statusCode() == 404);
        if (!ok) {
            throw failure(method + " " + path, response);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).header("Authorization", authorization);
    }

    private HttpResponse<String> exchange(HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new EventBusException("nothing answers " + what + " at " + base + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventBusException("interrupted during " + what + " at " + base, e);
        }
    }

    private EventBusException failure(String what, HttpResponse<String> response) {
        String hint = response.statusCode() == 401 ? ": the user is refused (it needs the management or administrator tag)" : "";
        String body = response.body() == null ? "" : response.body().strip();
        return new EventBusException("the " + this + " answered " + what + " with HTTP " + response.statusCode() + hint
                + (body.isEmpty() ? "" : " " + CtlOutput.abbreviate(body)));
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String text) {
        return java.net.URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first.strip();
        }
        return second != null && !second.isBlank() ? second.strip() : null;
    }

    /**
     * The management API of a broker, if it can be used, and otherwise why not.
     *
     * @param api    the API, when usable
     * @param reason why there is none (empty when there is one)
     */
    record Located(Optional<ManagementApi> api, String reason) {

        Located {
            Objects.requireNonNull(api, "api");
            Objects.requireNonNull(reason, "reason");
        }

        static Located absent(String reason) {
            return new Located(Optional.empty(), reason);
        }
    }
}
