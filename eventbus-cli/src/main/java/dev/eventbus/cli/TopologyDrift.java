package dev.eventbus.cli;

import dev.eventbus.core.Convention;
import dev.eventbus.rabbitmq.QueueMigration;
import dev.eventbus.rabbitmq.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the broker has against what a service's plan expects: objects missing, objects of the service that the plan
 * does not have (extra), and queues or exchanges whose arguments differ, with each argument's planned and actual
 * value. A pure function of the plan and the broker's listing. Immutable.
 *
 * @param findings every difference, missing first, then differing, then extra
 */
record TopologyDrift(List<Finding> findings) {

    /** What kind of difference. */
    enum Kind {
        /** The plan has it, the broker does not. */
        MISSING,
        /** Both have it, with other arguments. */
        DIFFERS,
        /** The broker has it, belonging to the service (by its name), and the plan does not. */
        EXTRA
    }

    /**
     * One argument that differs.
     *
     * @param name    the argument, e.g. {@code x-message-ttl}, or {@code type} for the queue or exchange type
     * @param broker  its value on the broker, or null when the broker has none
     * @param planned its value in the plan, or null when the plan has none
     */
    record Difference(String name, Object broker, Object planned) {
        String describe() {
            return name + ": broker " + (broker == null ? "(none)" : broker) + ", plan " + (planned == null ? "(none)" : planned);
        }
    }

    /**
     * One difference.
     *
     * @param kind        what kind
     * @param object      {@code exchange}, {@code queue} or {@code binding}
     * @param name        the object's name; for a binding {@code exchange -> queue [key]}
     * @param differences for {@link Kind#DIFFERS}, the arguments that differ
     */
    record Finding(Kind kind, String object, String name, List<Difference> differences) {
        Finding {
            differences = List.copyOf(differences);
        }
    }

    TopologyDrift {
        findings = List.copyOf(findings);
    }

    /** Whether the broker has exactly what the plan expects. */
    boolean none() {
        return findings.isEmpty();
    }

    /**
     * Compares the plan of a service with what the broker has.
     *
     * @param convention the service's names (which queues are its own)
     * @param plan       what it expects
     * @param exchanges  the broker's exchanges
     * @param queues     the broker's queues
     * @param bindings   the broker's bindings to queues
     */
    static TopologyDrift between(Convention convention, Topology plan, List<ManagementClient.BrokerExchange> exchanges,
                                 List<ManagementClient.BrokerQueue> queues, List<ManagementClient.BrokerBinding> bindings) {
        List<Finding> missing = new ArrayList<>();
        List<Finding> differing = new ArrayList<>();
        List<Finding> extra = new ArrayList<>();
        Map<String, ManagementClient.BrokerExchange> brokerExchanges = index(exchanges, ManagementClient.BrokerExchange::name);
        for (Topology.Exchange exchange : plan.exchanges()) {
            ManagementClient.BrokerExchange actual = brokerExchanges.get(exchange.name());
            if (actual == null) {
                missing.add(new Finding(Kind.MISSING, "exchange", exchange.name(), List.of()));
            } else {
                List<Difference> differences = new ArrayList<>();
                if (!actual.type().equals("topic")) {
                    differences.add(new Difference("type", actual.type(), "topic"));
                }
                if (!actual.durable()) {
                    differences.add(new Difference("durable", false, true));
                }
                if (!differences.isEmpty()) {
                    differing.add(new Finding(Kind.DIFFERS, "exchange", exchange.name(), differences));
                }
            }
        }
        Map<String, ManagementClient.BrokerQueue> brokerQueues = index(queues, ManagementClient.BrokerQueue::name);
        Set<String> plannedQueues = new LinkedHashSet<>();
        for (Topology.Queue queue : plan.queues()) {
            plannedQueues.add(queue.name());
            ManagementClient.BrokerQueue actual = brokerQueues.get(queue.name());
            if (actual == null) {
                missing.add(new Finding(Kind.MISSING, "queue", queue.name(), List.of()));
            } else {
                List<Difference> differences = argumentDifferences(queue.arguments(), actual);
                if (!differences.isEmpty()) {
                    differing.add(new Finding(Kind.DIFFERS, "queue", queue.name(), differences));
                }
            }
        }
        Set<Topology.Binding> brokerBindings = bindings.stream()
                .map(b -> new Topology.Binding(b.exchange(), b.queue(), b.routingKey())).collect(Collectors.toCollection(LinkedHashSet::new));
        for (Topology.Binding binding : plan.bindings()) {
            if (!brokerBindings.contains(binding)) {
                missing.add(new Finding(Kind.MISSING, "binding", describe(binding), List.of()));
            }
        }
        Set<String> ownExchanges = Set.of(convention.mainExchange(), convention.retryExchange(), convention.deadLetterExchange());
        for (ManagementClient.BrokerQueue queue : queues) {
            if (ownsQueue(convention, queue.name()) && !plannedQueues.contains(queue.name())) {
                extra.add(new Finding(Kind.EXTRA, "queue", queue.name(), List.of()));
            }
        }
        Set<Topology.Binding> planned = new LinkedHashSet<>(plan.bindings());
        for (Topology.Binding binding : brokerBindings) {
            boolean ours = ownsQueue(convention, binding.queue())
                    || (plannedQueues.contains(binding.queue()) && ownExchanges.contains(binding.exchange()));
            if (ours && !planned.contains(binding)) {
                extra.add(new Finding(Kind.EXTRA, "binding", describe(binding), List.of()));
            }
        }
        List<Finding> all = new ArrayList<>(missing);
        all.addAll(differing);
        all.addAll(extra);
        return new TopologyDrift(all);
    }

    /**
     * The planned arguments against the broker's: the queue type (from {@code x-queue-type}, classic when the plan has
     * none) against the broker's type, the other arguments one by one (numbers compared as numbers).
     */
    static List<Difference> argumentDifferences(Map<String, Object> plannedArguments, ManagementClient.BrokerQueue actual) {
        List<Difference> differences = new ArrayList<>();
        Object plannedType = plannedArguments.getOrDefault(Topology.QUEUE_TYPE, "classic");
        if (!plannedType.equals(actual.type())) {
            differences.add(new Difference(Topology.QUEUE_TYPE, actual.type(), plannedType));
        }
        Set<String> names = new LinkedHashSet<>(plannedArguments.keySet());
        names.addAll(actual.arguments().keySet());
        names.remove(Topology.QUEUE_TYPE);
        for (String name : names) {
            Object planned = normalize(plannedArguments.get(name));
            Object broker = normalize(actual.arguments().get(name));
            if (!Objects.equals(planned, broker)) {
                differences.add(new Difference(name, broker, planned));
            }
        }
        return differences;
    }

    /** Whether a queue is the service's own by its name: a handler, retry, dead-letter or parking queue of it. */
    static boolean ownsQueue(Convention convention, String queue) {
        String prefix = convention.mainExchange() + ".";
        String name = queue.startsWith(QueueMigration.PARKING_PREFIX) ? queue.substring(QueueMigration.PARKING_PREFIX.length()) : queue;
        return name.startsWith(prefix) || name.startsWith("retry." + prefix) || name.startsWith("dead_letter." + prefix);
    }

    private static Object normalize(Object value) {
        return value instanceof Number number && !(value instanceof Double || value instanceof Float) ? (Object) number.longValue() : value;
    }

    static String describe(Topology.Binding binding) {
        return binding.exchange() + " -> " + binding.queue() + " [" + binding.routingKey() + "]";
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> name) {
        Map<String, T> index = new LinkedHashMap<>();
        items.forEach(item -> index.put(name.apply(item), item));
        return index;
    }
}
