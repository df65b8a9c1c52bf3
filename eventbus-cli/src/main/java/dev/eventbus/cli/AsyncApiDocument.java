package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.core.Convention;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.schema.SchemaGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An AsyncAPI 3.0.0 document of one service, from its bus: what it sends and what each of its handlers receives.
 * <ul>
 *   <li>a channel per message type on the service's own exchange (address: the routing key; AMQP binding
 *   {@code is: routingKey} with the topic exchange), with a {@code send} operation: a service is the only publisher
 *   on its exchange, so every type of its plan routed there (registered or subscribed) is taken as sent by it;</li>
 *   <li>a channel per handler queue (address: the queue; AMQP binding {@code is: queue}) with a {@code receive}
 *   operation of the messages it is bound to, from whichever exchange;</li>
 *   <li>a message per type and version: petisco's envelope {@code {"data": {...}}} as payload, its {@code attributes}
 *   the JSON Schema {@link SchemaGenerator} writes for the Java type; untyped handlers (store, all messages) receive
 *   any envelope.</li>
 * </ul>
 * Stateless; a pure function of the bus's plan.
 */
final class AsyncApiDocument {

    static final String VERSION = "3.0.0";
    private static final String AMQP_BINDING_VERSION = "0.3.0";
    private static final String ANY_MESSAGE = "any_message";

    private AsyncApiDocument() {
    }

    /**
     * The document of a service.
     *
     * @param bus        its bus (built, not started)
     * @param settings   where it connects (the server's host and vhost; never the credentials)
     * @param apiVersion the document's {@code info.version}
     */
    static ObjectNode of(RabbitMqEventBus bus, RabbitMqConnectionSettings settings, String apiVersion) {
        Convention convention = bus.convention();
        Topology topology = bus.admin().topology();
        String vhost = settings.virtualHost();
        ObjectNode root = Output.JSON.createObjectNode();
        root.put("asyncapi", VERSION);
        ObjectNode info = root.putObject("info");
        info.put("title", convention.mainExchange());
        info.put("version", apiVersion);
        info.put("description", "Messages of service " + convention.service() + " of organization " + convention.organization()
                + " on RabbitMQ, as eventbus plans them (petisco's conventions).");
        ObjectNode server = root.putObject("servers").putObject("rabbitmq");
        server.put("host", settings.describeAddresses());
        server.put("protocol", settings.tls() ? "amqps" : "amqp");
        server.put("pathname", vhost.startsWith("/") ? vhost : "/" + vhost);
        root.put("defaultContentType", "application/json");
        ObjectNode channels = root.putObject("channels");
        ObjectNode operations = root.putObject("operations");
        ObjectNode messages = root.putObject("components").putObject("messages");

        Map<String, MessageType<?>> sent = new LinkedHashMap<>();
        bus.codec().registry().all().forEach(type -> sent.putIfAbsent(messageId(type), type));
        for (Subscription subscription : bus.subscriptions()) {
            if (subscription.source().isEmpty()) {
                subscription.types().forEach(type -> sent.putIfAbsent(messageId(type), type));
            }
        }
        for (MessageType<?> type : sent.values()) {
            String routingKey = convention.routingKey(type);
            ObjectNode channel = channels.putObject(key(routingKey));
            channel.put("address", routingKey);
            channel.putObject("messages").putObject(messageId(type)).put("$ref", "#/components/messages/" + messageId(type));
            ObjectNode amqp = channel.putObject("bindings").putObject("amqp");
            amqp.put("is", "routingKey");
            exchange(amqp.putObject("exchange"), convention.mainExchange(), vhost);
            amqp.put("bindingVersion", AMQP_BINDING_VERSION);
            ObjectNode operation = operations.putObject("send_" + messageId(type));
            operation.put("action", "send");
            operation.put("summary", "publish " + type.kind().routingSegment() + " " + type.name() + " v" + type.version()
                    + " to exchange " + convention.mainExchange());
            operation.putObject("channel").put("$ref", "#/channels/" + key(routingKey));
            operation.putArray("messages").addObject().put("$ref", "#/channels/" + key(routingKey) + "/messages/" + messageId(type));
            message(messages, type);
        }

        Map<String, ObjectNode> queueChannels = new LinkedHashMap<>();
        for (Subscription subscription : bus.subscriptions()) {
            for (Endpoint endpoint : convention.endpoints(subscription)) {
                ObjectNode channel = queueChannels.computeIfAbsent(endpoint.queue(), queue -> queueChannel(channels, topology, queue, vhost));
                if (endpoint.isUntyped()) {
                    ((ObjectNode) channel.get("messages")).putObject(ANY_MESSAGE).put("$ref", "#/components/messages/" + ANY_MESSAGE);
                    anyMessage(messages);
                }
                for (MessageType<?> type : endpoint.types()) { // an endpoint queue receives several
                    String id = messageId(type);
                    ((ObjectNode) channel.get("messages")).putObject(id).put("$ref", "#/components/messages/" + id);
                    message(messages, type);
                }
            }
        }
        queueChannels.forEach((queue, channel) -> {
            ObjectNode operation = operations.putObject("receive_" + key(queue));
            operation.put("action", "receive");
            operation.put("summary", "handler " + queue.substring(queue.lastIndexOf('.') + 1) + " consumes queue " + queue);
            operation.putObject("channel").put("$ref", "#/channels/" + key(queue));
            ArrayNode refs = operation.putArray("messages");
            channel.get("messages").fieldNames().forEachRemaining(id -> refs.addObject().put("$ref", "#/channels/" + key(queue)
                    + "/messages/" + id));
            operation.putObject("bindings").putObject("amqp").put("ack", true).put("bindingVersion", AMQP_BINDING_VERSION);
        });
        return root;
    }

    private static ObjectNode queueChannel(ObjectNode channels, Topology topology, String queue, String vhost) {
        ObjectNode channel = channels.putObject(key(queue));
        channel.put("address", queue);
        StringBuilder description = new StringBuilder("Queue " + queue + ", bound to");
        topology.bindings().stream().filter(b -> b.queue().equals(queue))
                .forEach(b -> description.append(" ").append(b.exchange()).append(" [").append(b.routingKey()).append("]"));
        topology.queue(queue).ifPresent(q -> {
            if (!q.arguments().isEmpty()) {
                description.append("; arguments ").append(q.arguments());
            }
        });
        channel.put("description", description.toString());
        channel.putObject("messages");
        ObjectNode amqp = channel.putObject("bindings").putObject("amqp");
        amqp.put("is", "queue");
        amqp.putObject("queue").put("name", queue).put("durable", true).put("exclusive", false).put("autoDelete", false)
                .put("vhost", vhost);
        amqp.put("bindingVersion", AMQP_BINDING_VERSION);
        return channel;
    }

    private static void exchange(ObjectNode exchange, String name, String vhost) {
        exchange.put("name", name).put("type", "topic").put("durable", true).put("autoDelete", false).put("vhost", vhost);
    }

    private static void message(ObjectNode messages, MessageType<?> type) {
        String id = messageId(type);
        if (messages.has(id)) {
            return;
        }
        ObjectNode message = messages.putObject(id);
        message.put("name", type.name());
        message.put("title", type.name() + " v" + type.version());
        message.put("summary", "The " + type.kind().routingSegment() + " " + type.name() + ", version " + type.version()
                + " (Java " + type.javaType().getName() + ")");
        message.put("contentType", "application/json");
        ObjectNode attributes;
        try {
            attributes = (ObjectNode) Output.JSON.readTree(SchemaGenerator.generate(type.javaType()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        attributes.remove("$schema");
        attributes.remove("$id");
        message.set("payload", envelope(type, attributes));
        message.putObject("bindings").putObject("amqp").put("contentEncoding", "utf-8").put("messageType", type.name())
                .put("bindingVersion", AMQP_BINDING_VERSION);
    }

    private static void anyMessage(ObjectNode messages) {
        if (messages.has(ANY_MESSAGE)) {
            return;
        }
        ObjectNode message = messages.putObject(ANY_MESSAGE);
        message.put("name", ANY_MESSAGE);
        message.put("title", "any message");
        message.put("summary", "Any event or command of the bound services, received untyped");
        message.put("contentType", "application/json");
        ObjectNode attributes = Output.JSON.createObjectNode().put("type", "object");
        message.set("payload", envelope(null, attributes));
    }

    /** petisco's envelope around the attributes: {@code {"data": {"id", "type", "type_message", "version", ...}}}. */
    private static ObjectNode envelope(MessageType<?> type, ObjectNode attributes) {
        ObjectNode payload = Output.JSON.createObjectNode();
        payload.put("type", "object");
        payload.putArray("required").add("data");
        ObjectNode data = payload.putObject("properties").putObject("data");
        data.put("type", "object");
        data.putArray("required").add("id").add("type").add("version").add("attributes");
        ObjectNode properties = data.putObject("properties");
        properties.putObject("id").put("type", "string").put("format", "uuid");
        ObjectNode name = properties.putObject("type").put("type", "string");
        ObjectNode kind = properties.putObject("type_message").put("type", "string");
        ObjectNode version = properties.putObject("version").put("type", "integer");
        if (type != null) {
            name.put("const", type.name());
            kind.put("const", type.kind().wireValue());
            version.put("const", type.version());
        } else {
            kind.putArray("enum").add("domain_event").add("command").add("message");
        }
        properties.putObject("occurred_on").put("type", "string")
                .put("description", "UTC, microseconds, no zone: 2026-11-22 10:15:30.123456");
        properties.set("attributes", attributes);
        properties.putObject("meta").put("type", "object");
        return payload;
    }

    /** A message's id in the document: {@code <name>_v<version>}, e.g. {@code user.created_v1}. */
    static String messageId(MessageType<?> type) {
        return key(type.name() + "_v" + type.version());
    }

    /** A key AsyncAPI accepts ({@code [\w.-]+}). */
    static String key(String text) {
        return text.replace("*", "any").replace("#", "all").replaceAll("[^A-Za-z0-9_.\\-]", "_");
    }

    /** The document as indented JSON text. */
    static String text(JsonNode document) {
        try {
            return Output.JSON.writeValueAsString(document) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
