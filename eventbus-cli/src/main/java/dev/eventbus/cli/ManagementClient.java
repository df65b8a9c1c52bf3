package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbus.core.ConfigurationException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the broker has, read from the RabbitMQ management HTTP API (the only place that tells a queue's arguments and
 * the bindings): exchanges, queues and bindings of one vhost. Read-only; never prints the password. Thread-safe.
 */
final class ManagementClient {

    /** A queue as the broker has it. */
    record BrokerQueue(String name, String type, Map<String, Object> arguments, long messages, long consumers) {
    }

    /** An exchange as the broker has it. */
    record BrokerExchange(String name, String type, boolean durable) {
    }

    /** A binding from an exchange to a queue. */
    record BrokerBinding(String exchange, String queue, String routingKey) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String user;
    private final String authorization;
    private final String vhost;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ManagementClient(URI base, String user, String password, String vhost) {
        this.base = base;
        this.user = user;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.vhost = vhost;
    }

    /** The broker's version, as {@code /api/overview} tells it. */
    String rabbitMqVersion() {
        return get("/api/overview").path("rabbitmq_version").asText("unknown");
    }

    List<BrokerQueue> queues() {
        List<BrokerQueue> queues = new ArrayList<>();
        for (JsonNode node : get("/api/queues/" + encode(vhost) + "?columns=name,type,arguments,messages,consumers")) {
            queues.add(new BrokerQueue(node.path("name").asText(), node.path("type").asText("classic"),
                    arguments(node.path("arguments")), node.path("messages").asLong(0), node.path("consumers").asLong(0)));
        }
        return queues;
    }

    List<BrokerExchange> exchanges() {
        List<BrokerExchange> exchanges = new ArrayList<>();
        for (JsonNode node : get("/api/exchanges/" + encode(vhost) + "?columns=name,type,durable")) {
            exchanges.add(new BrokerExchange(node.path("name").asText(), node.path("type").asText(), node.path("durable").asBoolean()));
        }
        return exchanges;
    }

    List<BrokerBinding> bindings() {
        List<BrokerBinding> bindings = new ArrayList<>();
        for (JsonNode node : get("/api/bindings/" + encode(vhost))) {
            if (node.path("destination_type").asText().equals("queue") && !node.path("source").asText().isEmpty()) {
                bindings.add(new BrokerBinding(node.path("source").asText(), node.path("destination").asText(),
                        node.path("routing_key").asText()));
            }
        }
        return bindings;
    }

    private static Map<String, Object> arguments(JsonNode node) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        node.fields().forEachRemaining(field -> arguments.put(field.getKey(), JSON.convertValue(field.getValue(), Object.class)));
        return arguments;
    }

    private JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization).header("Accept", "application/json").GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.UNREACHABLE, "cannot reach the RabbitMQ management API at " + base + ": " + e
                    + "; enable it (rabbitmq-plugins enable rabbitmq_management) or give its URL with --management-url "
                    + "or EVENTBUS_MANAGEMENT_URL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure(ExitCodes.UNREACHABLE, "interrupted while asking the management API at " + base, e);
        }
        switch (response.statusCode()) {
            case 200:
                break;
            case 401:
            case 403:
                throw new CommandFailure(ExitCodes.UNREACHABLE, "the management API at " + base + " refused user '" + user + "' ("
                        + response.statusCode() + "): give a user with the management or monitoring tag with "
                        + "--management-user/--management-password or EVENTBUS_MANAGEMENT_USER/EVENTBUS_MANAGEMENT_PASSWORD");
            case 404:
                throw new ConfigurationException("the management API at " + base + " has no " + path.replaceAll("\\?.*", "")
                        + ": does vhost '" + vhost + "' exist?");
            default:
                throw new CommandFailure(ExitCodes.UNREACHABLE, "the management API at " + base + " answered " + response.statusCode()
                        + " to " + path.replaceAll("\\?.*", ""));
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.UNREACHABLE, "the management API at " + base + " answered " + path + " with something "
                    + "that is not JSON: is " + base + " the management API?", e);
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
