package dev.eventbus.examples.launch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.EventBusException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON-over-HTTP server on the JDK's {@code com.sun.net.httpserver}: routes by method and exact path, answers
 * with JSON (record components in snake_case, like the wire format). Enough for the example services' small APIs without a web framework. Thread-safe: requests run on
 * a small pool of the server's own threads; routes must be thread-safe.
 *
 * <p>A route that throws {@link BadRequestException} answers 400, an {@link EventBusException} (e.g. the broker is
 * unreachable, or nothing consumes the message yet) 503, anything else 500; the body is {@code {"error": "..."}}.
 */
public final class JsonHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JsonHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final String name;
    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();

    /** A request as a route sees it: its query parameters and body. */
    public record Request(Map<String, String> query, byte[] body) {
        public Request {
            query = Map.copyOf(query);
            body = body.clone();
        }

        /** The body as a JSON object, or an empty map when there is no body. */
        public Map<String, Object> json() {
            if (body.length == 0) {
                return Map.of();
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = JSON.readValue(body, Map.class);
                return map == null ? Map.of() : map;
            } catch (IOException e) {
                throw new BadRequestException("the request body is not a JSON object: " + e.getMessage());
            }
        }

        /** A query parameter as a number, or the default when absent. */
        public long longParameter(String parameter, long defaultValue) {
            String value = query.get(parameter);
            if (value == null || value.isBlank()) {
                return defaultValue;
            }
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new BadRequestException("query parameter " + parameter + "='" + value + "' is not a number");
            }
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /** An answer: HTTP status and a body that Jackson writes as JSON. */
    public record Response(int status, Object body) {
        public Response {
            Objects.requireNonNull(body, "body");
        }

        /** 200 with this body. */
        public static Response ok(Object body) {
            return new Response(200, body);
        }
    }

    /** Handles one method and path. */
    @FunctionalInterface
    public interface Route {
        /**
         * Answers a request.
         *
         * @throws Exception to answer 400, 503 or 500 (see the server's contract)
         */
        Response handle(Request request) throws Exception;
    }

    /** A route's answer to a request it cannot serve as asked: HTTP 400. */
    public static final class BadRequestException extends EventBusException {
        /** With a message saying what is wrong with the request. */
        public BadRequestException(String message) {
            super(message);
        }
    }

    private JsonHttpServer(String name, HttpServer server) {
        this.name = name;
        this.server = server;
        this.threads = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "http-" + name);
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.createContext("/", this::serve);
    }

    /**
     * Binds a server to a port of all interfaces (0 for any free port); it serves once {@link #start()} is called.
     *
     * @throws ConfigurationException if the port cannot be bound, naming it
     */
    public static JsonHttpServer bind(String name, int port) {
        try {
            return new JsonHttpServer(name, HttpServer.create(new InetSocketAddress(port), 0));
        } catch (IOException e) {
            throw new ConfigurationException(name + " cannot listen on port " + port + ": " + e.getMessage()
                    + "; choose another port with the service's *_PORT variable");
        }
    }

    /** Adds a route for a method ({@code GET}, {@code POST}) and an exact path. Returns this server. */
    public JsonHttpServer route(String method, String path, Route route) {
        routes.put(method + " " + path, Objects.requireNonNull(route, "route"));
        return this;
    }

    /** Starts serving; returns at once. */
    public JsonHttpServer start() {
        server.start();
        log.info("{} listens on http://localhost:{}", name, port());
        return this;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops at once: requests being answered are cut. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Route route = routes.get(exchange.getRequestMethod() + " " + path);
            Response response;
            if (route == null) {
                response = new Response(404, Map.of("error", "no route for " + exchange.getRequestMethod() + " " + path
                        + "; routes: " + routes.keySet()));
            } else {
                response = answer(route, new Request(query(exchange.getRequestURI().getRawQuery()),
                        exchange.getRequestBody().readAllBytes()));
            }
            byte[] body = write(response.body());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(response.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private Response answer(Route route, Request request) {
        try {
            return route.handle(request);
        } catch (BadRequestException e) {
            return new Response(400, Map.of("error", e.getMessage()));
        } catch (EventBusException e) {
            log.warn("{}: {}", name, e.getMessage());
            return new Response(503, Map.of("error", e.getMessage()));
        } catch (Exception e) {
            log.error("{}: request failed", name, e);
            return new Response(500, Map.of("error", String.valueOf(e)));
        }
    }

    private static byte[] write(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            query.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return query;
    }
}
