package dev.eventbus.rabbitmq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Renders a {@link Topology} for people and tools: an aligned text table, a Mermaid flowchart, or JSON. The diagrams of
 * {@code docs/topology.md} and the {@code eventbus topology} command are its output. Stateless and thread-safe; every
 * method is a pure function of the topology (same topology, same text).
 *
 * <p>The flowchart shows what the topology decides: exchanges as hexagons, queues as boxes with their arguments,
 * bindings as arrows labelled with their keys, and dead-lettering (a queue's {@code x-dead-letter-exchange}) as
 * dotted arrows. A queue some other queue dead-letters back into (a handler queue with its retry queue) gets its
 * consumer, with the two ways a failed message leaves it: to the retry exchange while retries are left, to the
 * dead-letter exchange after.
 */
public final class TopologyRenderer {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TopologyRenderer() {
    }

    /**
     * An aligned text table: one line per exchange, queue (with its arguments) and binding, under a header.
     *
     * @param topology what to render
     * @return the table, lines ending with {@code \n}
     */
    public static String table(Topology topology) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KIND", "NAME", "DETAILS"});
        for (Topology.Exchange exchange : topology.exchanges()) {
            rows.add(new String[] {"exchange", exchange.name(), "topic, durable" + (exchange.shared() ? ", shared" : "")});
        }
        for (Topology.Queue queue : topology.queues()) {
            String arguments = queue.arguments().isEmpty() ? "no arguments" : arguments(queue.arguments(), ", ");
            rows.add(new String[] {"queue", queue.name(), arguments + (queue.shared() ? " (shared)" : "")});
        }
        for (Topology.Binding binding : topology.bindings()) {
            rows.add(new String[] {"binding", binding.exchange() + " -> " + binding.queue(), "key " + binding.routingKey()});
        }
        int[] widths = new int[2];
        for (String[] row : rows) {
            widths[0] = Math.max(widths[0], row[0].length());
            widths[1] = Math.max(widths[1], row[1].length());
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            text.append(pad(row[0], widths[0])).append("  ").append(pad(row[1], widths[1])).append("  ").append(row[2])
                    .append('\n');
        }
        return text.toString().replaceAll(" +\n", "\n");
    }

    /**
     * A Mermaid flowchart ({@code flowchart LR}) of the topology, for a {@code ```mermaid} block.
     *
     * @param topology what to render
     * @return the flowchart's text, lines ending with {@code \n}, without the fences
     */
    public static String mermaid(Topology topology) {
        Map<String, String> exchangeIds = new LinkedHashMap<>();
        Map<String, String> queueIds = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder("flowchart LR\n");
        for (Topology.Exchange exchange : topology.exchanges()) {
            String id = "X" + (exchangeIds.size() + 1);
            exchangeIds.put(exchange.name(), id);
            text.append("    ").append(id).append("{{\"").append(escape(exchange.name()))
                    .append(exchange.shared() ? "<br/>(shared)" : "").append("\"}}\n");
        }
        for (Topology.Queue queue : topology.queues()) {
            String id = "Q" + (queueIds.size() + 1);
            queueIds.put(queue.name(), id);
            StringBuilder label = new StringBuilder(escape(queue.name()));
            queue.arguments().forEach((name, value) -> label.append("<br/>").append(escape(name + "=" + value)));
            text.append("    ").append(id).append("[\"").append(label).append("\"]\n");
        }
        Map<List<String>, List<String>> keys = new LinkedHashMap<>();
        for (Topology.Binding binding : topology.bindings()) {
            keys.computeIfAbsent(List.of(binding.exchange(), binding.queue()), k -> new ArrayList<>()).add(binding.routingKey());
        }
        keys.forEach((pair, routingKeys) -> {
            String from = exchangeIds.get(pair.get(0));
            String to = queueIds.get(pair.get(1));
            if (from != null && to != null) {
                text.append("    ").append(from).append(" -- \"").append(escape(String.join("<br/>", routingKeys)))
                        .append("\" --> ").append(to).append('\n');
            }
        });
        int consumers = 0;
        for (Topology.Queue queue : topology.queues()) {
            String target = (String) queue.arguments().get(Topology.DEAD_LETTER_EXCHANGE);
            if (target != null && exchangeIds.containsKey(target)) {
                String why = queue.arguments().containsKey(Topology.MESSAGE_TTL) ? "expired or rejected" : "rejected";
                text.append("    ").append(queueIds.get(queue.name())).append(" -. \"").append(why).append(": ")
                        .append(escape(String.valueOf(queue.arguments().get(Topology.DEAD_LETTER_ROUTING_KEY))))
                        .append("\" .-> ").append(exchangeIds.get(target)).append('\n');
            }
            Optional<Topology.Queue> retryQueue = retryQueueOf(topology, queue);
            if (retryQueue.isPresent()) {
                consumers++;
                String consumer = "C" + consumers;
                String retryKey = (String) retryQueue.get().arguments().get(Topology.DEAD_LETTER_ROUTING_KEY);
                text.append("    ").append(queueIds.get(queue.name())).append(" --> ").append(consumer).append("([\"consumer: ")
                        .append(escape(handlerName(queue.name()))).append("\"])\n");
                topology.bindings().stream()
                        .filter(b -> b.queue().equals(retryQueue.get().name()) && b.routingKey().equals(retryKey))
                        .map(b -> exchangeIds.get(b.exchange())).filter(java.util.Objects::nonNull).findFirst()
                        .ifPresent(retryExchange -> text.append("    ").append(consumer).append(" -- \"failed, retries left:<br/>")
                                .append(escape(retryKey)).append("\" --> ").append(retryExchange).append('\n'));
                if (target != null && exchangeIds.containsKey(target)) {
                    text.append("    ").append(consumer).append(" -- \"no retries left, or not retryable:<br/>")
                            .append(escape(String.valueOf(queue.arguments().get(Topology.DEAD_LETTER_ROUTING_KEY))))
                            .append("\" --> ").append(exchangeIds.get(target)).append('\n');
                }
            }
        }
        return text.toString();
    }

    /**
     * The topology as JSON: {@code {"exchanges": [{"name", "shared"}], "queues": [{"name", "arguments", "shared"}],
     * "bindings": [{"exchange", "queue", "routingKey"}]}}, indented.
     *
     * @param topology what to render
     * @return the JSON text, ending with {@code \n}
     */
    public static String json(Topology topology) {
        try {
            return JSON.writeValueAsString(jsonTree(topology)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The topology as a Jackson tree, the shape of {@link #json(Topology)}, for tools that embed it in their own JSON.
     *
     * @param topology what to render
     * @return a new tree
     */
    public static ObjectNode jsonTree(Topology topology) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode exchanges = root.putArray("exchanges");
        topology.exchanges().forEach(e -> exchanges.addObject().put("name", e.name()).put("shared", e.shared()));
        ArrayNode queues = root.putArray("queues");
        for (Topology.Queue queue : topology.queues()) {
            ObjectNode node = queues.addObject().put("name", queue.name());
            node.set("arguments", JSON.valueToTree(queue.arguments()));
            node.put("shared", queue.shared());
        }
        ArrayNode bindings = root.putArray("bindings");
        topology.bindings().forEach(b -> bindings.addObject().put("exchange", b.exchange()).put("queue", b.queue())
                .put("routingKey", b.routingKey()));
        return root;
    }

    /**
     * The queue that dead-letters back into {@code queue} (its retry queue): one whose dead-letter exchange and key
     * match a binding of {@code queue}. Only a queue that dead-letters itself has one (handler and store queues do; a
     * dead-letter queue, which a handler queue dead-letters into, does not).
     */
    static Optional<Topology.Queue> retryQueueOf(Topology topology, Topology.Queue queue) {
        if (!queue.arguments().containsKey(Topology.DEAD_LETTER_EXCHANGE)) {
            return Optional.empty();
        }
        return topology.queues().stream().filter(candidate -> !candidate.name().equals(queue.name()))
                .filter(candidate -> topology.bindings().stream().anyMatch(b -> b.queue().equals(queue.name())
                        && b.exchange().equals(candidate.arguments().get(Topology.DEAD_LETTER_EXCHANGE))
                        && b.routingKey().equals(candidate.arguments().get(Topology.DEAD_LETTER_ROUTING_KEY))))
                .findFirst();
    }

    /** The handler of a handler queue: the last part of its name. */
    private static String handlerName(String queue) {
        return queue.substring(queue.lastIndexOf('.') + 1);
    }

    private static String arguments(Map<String, Object> arguments, String separator) {
        return arguments.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(separator));
    }

    /** Mermaid labels are in double quotes: a quote inside is written as an entity. */
    private static String escape(String text) {
        return text.replace("\"", "#quot;");
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }
}
