package dev.eventbus.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The management API client against a stand-in HTTP server that answers as RabbitMQ's does. */
class ManagementApiTest {

    private HttpServer server;
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile int status = 200;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        requests.add(request);
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        String body = answers.entrySet().stream().filter(e -> request.startsWith(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse(null);
        int code = body == null ? 404 : status;
        byte[] bytes = (body == null ? "{\"error\":\"Object Not Found\"}" : body).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void overviewListeningOnAmqpPort(int port) {
        answers.put("GET /api/overview", "{\"node\":\"second@localhost\",\"listeners\":[{\"protocol\":\"clustering\",\"port\":25681},"
                + "{\"protocol\":\"amqp\",\"port\":" + port + "},{\"protocol\":\"http\",\"port\":15681}]}");
    }

    @Test
    void usesTheApiOfTheNodeThatListensOnTheAmqpPort() {
        overviewListeningOnAmqpPort(5681);

        ManagementApi.Located located = ManagementApi.locate(new BrokerUri("amqp://app:secret@127.0.0.1:5681/"), url(), false);

        assertTrue(located.api().isPresent(), located.reason());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("app:secret".getBytes(StandardCharsets.UTF_8)), authorizations.get(0),
                "the AMQP URI's credentials");
    }

    @Test
    void refusesTheApiOfAnotherNode() {
        overviewListeningOnAmqpPort(5672);

        ManagementApi.Located located = ManagementApi.locate(new BrokerUri("amqp://guest:guest@127.0.0.1:5681"), url(), false);

        assertTrue(located.api().isEmpty(), "the API of the node on 5672 must not list the queues of the broker on 5681");
        assertTrue(located.reason().contains("second@localhost") && located.reason().contains("[5672]")
                && located.reason().contains("port 5681"), located.reason());
    }

    @Test
    void trustsAUrlItIsGivenWhateverItsListeners() {
        overviewListeningOnAmqpPort(5672);   // a container: 5672 inside, another port outside

        ManagementApi.Located located = ManagementApi.locate(new BrokerUri("amqp://guest:guest@127.0.0.1:32771"), url(), true);

        assertTrue(located.api().isPresent(), located.reason());
    }

    @Test
    void looksOnTheAmqpPortPlusTenThousandWhenNoUrlIsNamed() {
        int amqpPort = server.getAddress().getPort() - 10000;
        overviewListeningOnAmqpPort(amqpPort);

        ManagementApi.Located located = ManagementApi.locate(new BrokerUri("amqp://guest:guest@127.0.0.1:" + amqpPort),
                name -> null, name -> null);

        assertTrue(located.api().isPresent(), located.reason());
        assertEquals(url() + "/", located.api().get().base().toString());
    }

    @Test
    void takesTheUrlAndItsCredentialsFromTheEnvironmentAndNoneTurnsItOff() {
        overviewListeningOnAmqpPort(5681);
        String withCredentials = url().replace("http://", "http://admin:s%40fe@") + "/";

        ManagementApi.Located named = ManagementApi.locate(new BrokerUri("amqp://guest:guest@127.0.0.1:5681"),
                Map.of(ManagementApi.URL_VARIABLE, withCredentials)::get, name -> null);
        ManagementApi.Located off = ManagementApi.locate(new BrokerUri("amqp://guest:guest@127.0.0.1:5681"),
                Map.of(ManagementApi.URL_VARIABLE, withCredentials)::get, Map.of(ManagementApi.URL_PROPERTY, "none")::get);

        assertTrue(named.api().isPresent(), named.reason());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("admin:s@fe".getBytes(StandardCharsets.UTF_8)), authorizations.get(0));
        assertTrue(off.api().isEmpty());
        assertTrue(off.reason().contains("none"), off.reason());
    }

    @Test
    void saysWhyWhenNothingAnswersOrTheUserIsRefused() {
        ManagementApi.Located nothing = ManagementApi.locate(new BrokerUri("amqp://guest:guest@127.0.0.1:5681"), "http://127.0.0.1:1", false);
        overviewListeningOnAmqpPort(5681);
        status = 401;
        ManagementApi.Located refused = ManagementApi.locate(new BrokerUri("amqp://guest:guest@127.0.0.1:5681"), url(), false);

        assertEquals("nothing answers at http://127.0.0.1:1/", nothing.reason());
        assertTrue(refused.reason().contains("HTTP 401") && refused.reason().contains("management or administrator tag"), refused.reason());
    }

    @Test
    void listsTheNamesContainingTheTextOnEveryPage() {
        overviewListeningOnAmqpPort(5681);
        answers.put("GET /api/queues/%2F?columns=name&use_regex=false&page_size=500&page=1&name=t0123",
                "{\"page\":1,\"page_count\":2,\"items\":[{\"name\":\"t0123.svc.q1\"},{\"name\":\"retry.t0123.svc.q1\"}]}");
        answers.put("GET /api/queues/%2F?columns=name&use_regex=false&page_size=500&page=2&name=t0123",
                "{\"page\":2,\"page_count\":2,\"items\":[{\"name\":\"dead_letter.t0123.svc.q1\"},{\"name\":\"T0123.other\"}]}");
        answers.put("GET /api/exchanges/eventbus-test-t0123-1?", "{\"page\":1,\"page_count\":1,\"items\":[{\"name\":\"t0123.svc\"}]}");
        ManagementApi api = ManagementApi.locate(new BrokerUri("amqp://guest:guest@127.0.0.1:5681"), url(), false).api().orElseThrow();

        assertEquals(List.of("t0123.svc.q1", "retry.t0123.svc.q1", "dead_letter.t0123.svc.q1"), api.queueNamesContaining("/", "t0123"),
                "only the names that contain the text as given");
        assertEquals(List.of("t0123.svc"), api.exchangeNamesContaining("eventbus-test-t0123-1", "t0123"));
    }

    @Test
    void createsAndDeletesVirtualHosts() {
        overviewListeningOnAmqpPort(5681);
        answers.put("PUT /api/vhosts/eventbus-test-t1", "");
        answers.put("PUT /api/permissions/eventbus-test-t1/app", "");
        answers.put("DELETE /api/vhosts/eventbus-test-t1", "");
        ManagementApi api = ManagementApi.locate(new BrokerUri("amqp://app:pw@127.0.0.1:5681"), url(), false).api().orElseThrow();

        api.addVirtualHost("eventbus-test-t1", "app");
        api.deleteVirtualHost("eventbus-test-t1");
        api.deleteVirtualHost("eventbus-test-gone");   // 404: already deleted

        assertEquals(List.of("GET /api/overview", "PUT /api/vhosts/eventbus-test-t1", "PUT /api/permissions/eventbus-test-t1/app",
                "DELETE /api/vhosts/eventbus-test-t1", "DELETE /api/vhosts/eventbus-test-gone"), requests);
    }
}
