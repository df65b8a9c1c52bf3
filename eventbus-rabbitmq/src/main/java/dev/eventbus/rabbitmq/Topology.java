package dev.eventbus.rabbitmq;

import dev.eventbus.rabbitmq.internal.topology.RabbitMqConfigurer;

import dev.eventbus.core.Convention;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The exchanges, queues and bindings one service declares for its subscriptions: a pure description,
 * computed by {@link #plan}, that {@link RabbitMqConfigurer} declares on the broker. Immutable.
 *
 * @param exchanges the exchanges, all durable topic exchanges
 * @param queues    the queues with their arguments
 * @param bindings  the bindings from exchanges to queues
 */
public record Topology(List<Exchange> exchanges, List<Queue> queues, List<Binding> bindings) {

    /** Queue argument: where the broker dead-letters messages. */
    public static final String DEAD_LETTER_EXCHANGE = "x-dead-letter-exchange";
    /** Queue argument: the routing key of dead-lettered messages. */
    public static final String DEAD_LETTER_ROUTING_KEY = "x-dead-letter-routing-key";
    /** Queue argument: message TTL in milliseconds (a 32-bit integer, as petisco's pika sends it). */
    public static final String MESSAGE_TTL = "x-message-ttl";
    /** Queue argument: the broker delivers to one consumer at a time, the next taking over when it goes. */
    public static final String SINGLE_ACTIVE_CONSUMER = "x-single-active-consumer";
    /** Queue argument: classic or quorum. */
    public static final String QUEUE_TYPE = "x-queue-type";
    /** Queue argument: how often a quorum queue redelivers a message before dead-lettering it. */
    public static final String DELIVERY_LIMIT = "x-delivery-limit";
    /** Queue argument: quorum queues dead-letter at most once unless told {@code at-least-once}. */
    public static final String DEAD_LETTER_STRATEGY = "x-dead-letter-strategy";
    /** Queue argument: what a full queue does; at-least-once dead-lettering requires {@code reject-publish}. */
    public static final String OVERFLOW = "x-overflow";

    public Topology {
        exchanges = List.copyOf(exchanges);
        queues = List.copyOf(queues);
        bindings = List.copyOf(bindings);
    }

    /** Exchange type of every exchange but the delay exchange. */
    public static final String TOPIC = "topic";
    /** Exchange type of the delay exchange, which routes by the {@link Headers#DELAY} header. */
    public static final String HEADERS = "headers";

    /**
     * A durable exchange.
     *
     * @param name   the exchange name
     * @param shared whether other services use it too (never deleted by {@link RabbitMqConfigurer#clear(Topology)})
     * @param type   {@link #TOPIC}, or {@link #HEADERS} for the delay exchange
     */
    public record Exchange(String name, boolean shared, String type) {
        public Exchange {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }

        /** A durable topic exchange. */
        public Exchange(String name, boolean shared) {
            this(name, shared, TOPIC);
        }
    }

    /**
     * A durable queue.
     *
     * @param name      the queue name
     * @param arguments its arguments (TTL and delivery limit as {@link Integer})
     * @param shared    whether other services use it too (the store queues; never deleted by clear)
     */
    public record Queue(String name, Map<String, Object> arguments, boolean shared) {
        public Queue {
            arguments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        }
    }

    /**
     * A binding of a queue to an exchange.
     *
     * @param exchange   the source exchange
     * @param queue      the destination queue
     * @param routingKey the binding key
     * @param arguments  binding arguments (the delay exchange's header match); empty for topic bindings
     */
    public record Binding(String exchange, String queue, String routingKey, Map<String, Object> arguments) {
        public Binding {
            arguments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        }

        /** A topic binding. */
        public Binding(String exchange, String queue, String routingKey) {
            this(exchange, queue, routingKey, Map.of());
        }
    }

    /**
     * The service's delay exchange, {@code delay.<org>.<service>}: a headers exchange routing retried copies by their
     * {@link Headers#DELAY} header to the delay queue of that delay.
     */
    public static String delayExchange(Convention convention) {
        return "delay." + convention.mainExchange();
    }

    /**
     * The service's delay queue of one delay, {@code delay.<org>.<service>.<millis>}: {@code x-message-ttl} of the delay,
     * dead-lettering to the main exchange with each message's own routing key ({@code retry.<handler queue>}), so one
     * queue serves every handler of the service that waits that long.
     */
    public static String delayQueue(Convention convention, int delayMillis) {
        return delayExchange(convention) + "." + delayMillis;
    }

    /**
     * Settings that shape the declared queues.
     *
     * @param queueType        classic or quorum
     * @param deliveryLimit    {@code x-delivery-limit} of quorum handler queues
     * @param handlerQueueTtl  {@code x-message-ttl} of handler queues in ms, or null for none. petisco declares 5000 (a
     *                         message nobody consumes within it is dead-lettered)
     * @param defaultRetry     the retry policy of handlers without their own (its delay is the retry queue's TTL)
     * @param declareStore     whether to declare the shared store queues
     * @param storeRetryDelay  {@code x-message-ttl} of the shared {@code retry.store} queue in ms; every service of the
     *                         vhost must agree on it
     * @param storeQueueTtl    {@code x-message-ttl} of the shared {@code store} queue in ms, or null for none; every
     *                         service of the vhost must agree on it (petisco declares 5000)
     */
    public record Options(QueueType queueType, int deliveryLimit, @Nullable Integer handlerQueueTtl,
                          RetryPolicy defaultRetry, boolean declareStore, int storeRetryDelay, @Nullable Integer storeQueueTtl) {

        /** Options with petisco's store queue TTL and store retry delay, 5000 ms each. */
        public Options(QueueType queueType, int deliveryLimit, @Nullable Integer handlerQueueTtl, RetryPolicy defaultRetry,
                       boolean declareStore) {
            this(queueType, deliveryLimit, handlerQueueTtl, defaultRetry, declareStore, 5000, 5000);
        }

        public Options {
            Objects.requireNonNull(queueType, "queueType");
            Objects.requireNonNull(defaultRetry, "defaultRetry");
            if (deliveryLimit < 1) {
                throw new dev.eventbus.core.ConfigurationException("quorum delivery limit " + deliveryLimit + " must be 1 or more");
            }
            if (storeRetryDelay < 1) {
                throw new dev.eventbus.core.ConfigurationException("store retry delay " + storeRetryDelay + " ms must be 1 or more");
            }
            if (handlerQueueTtl != null && handlerQueueTtl < 1) {
                throw new dev.eventbus.core.ConfigurationException("handler queue TTL " + handlerQueueTtl + " ms must be 1 or more");
            }
            if (storeQueueTtl != null && storeQueueTtl < 1) {
                throw new dev.eventbus.core.ConfigurationException("store queue TTL " + storeQueueTtl + " ms must be 1 or more");
            }
        }
    }

    /**
     * Plans the topology of a service: its three exchanges, and for every (message type, handler) pair the handler
     * queue, its retry queue (TTL = the handler's retry delay) and dead-letter queue with petisco's bindings; the
     * store queues when there is a store subscription or {@code options.declareStore()}, with
     * {@code options.storeRetryDelay()} as {@code retry.store}'s TTL whatever the retry policies (the queue is shared
     * by the vhost, so it cannot follow any one service's). An {@link Subscription#allMessages all-messages} handler gets a queue of its own
     * bound with the service's event and command keys. A subscription {@link Subscription#from(String) from another
     * service} binds its queue to that service's exchange instead. A {@link Subscription#live() live} subscription adds
     * only the exchanges it binds to: its exclusive queues and their bindings are declared by its consumer; with a retry
     * policy of its own also its durable dead-letter queue, which outlives the instance.
     */
    public static Topology plan(Convention convention, List<Subscription> subscriptions, Options options) {
        Set<Exchange> exchanges = new LinkedHashSet<>();
        List<Queue> queues = new ArrayList<>();
        Set<Binding> bindings = new LinkedHashSet<>();
        exchanges.add(new Exchange(convention.mainExchange(), false));
        exchanges.add(new Exchange(convention.retryExchange(), false));
        exchanges.add(new Exchange(convention.deadLetterExchange(), false));
        boolean store = options.declareStore();
        for (Subscription subscription : subscriptions) {
            if (subscription.isStore()) {
                store = true;
                continue;
            }
            RetryPolicy retryPolicy = subscription.retryPolicyOr(options.defaultRetry());
            for (Endpoint endpoint : convention.endpoints(subscription)) {
                for (Endpoint.Binding binding : endpoint.bindings()) {
                    if (!binding.exchange().equals(convention.mainExchange())) {
                        // another service's exchange: declared so the binding can exist, never deleted by this service
                        exchanges.add(new Exchange(binding.exchange(), true));
                    }
                    if (!subscription.isLive()) {
                        bindings.add(new Binding(binding.exchange(), endpoint.queue(), binding.bindingKey()));
                    }
                }
                if (subscription.isLiveWithRetries()) {
                    planLiveDeadLetterQueue(convention, endpoint.queue(), queues, bindings);
                }
                if (!subscription.isLive()) { // a live queue is its consumer connection's: the consumer declares it
                    planHandlerQueue(convention, options, retryPolicy, endpoint.queue(), exchanges, queues, bindings);
                    if (subscription.singleActiveConsumer()) {
                        singleActiveConsumer(queues, endpoint.queue());
                    }
                }
            }
        }
        if (store) {
            planStore(convention, options, exchanges, queues, bindings);
        }
        return new Topology(new ArrayList<>(exchanges), queues, new ArrayList<>(bindings));
    }

    /**
     * The durable dead-letter queue of a live queue with retries, {@code dead_letter.<live queue>}: it outlives the
     * instance, so configure declares it (its consumer does too) and clear deletes it. Classic whatever the queue type,
     * with no arguments, exactly as the consumer declares it.
     */
    private static void planLiveDeadLetterQueue(Convention convention, String liveQueue, List<Queue> queues,
                                                Set<Binding> bindings) {
        queues.add(new Queue(convention.deadLetterQueue(liveQueue), Map.of(), false));
        bindings.add(new Binding(convention.deadLetterExchange(), convention.deadLetterQueue(liveQueue),
                convention.deadLetterRoutingKey(liveQueue)));
    }

    /** Adds {@code x-single-active-consumer} to a planned handler queue ({@link Subscription#withSingleActiveConsumer}). */
    private static void singleActiveConsumer(List<Queue> queues, String queue) {
        for (int i = 0; i < queues.size(); i++) {
            Queue planned = queues.get(i);
            if (planned.name().equals(queue)) {
                Map<String, Object> args = new LinkedHashMap<>(planned.arguments());
                args.put(SINGLE_ACTIVE_CONSUMER, true);
                queues.set(i, new Queue(planned.name(), args, planned.shared()));
            }
        }
    }

    /**
     * A handler queue with its retry and dead-letter queues, and every binding but the one from the publisher. A policy
     * that is not {@link RetryPolicy#usesRetryQueue() fixed} gets no retry queue of its own but the service's delay
     * queues of its delays; a retry queue left from a fixed policy is neither declared nor deleted, and drains back
     * into the handler queue through the binding {@code retry.<queue>}, which every policy keeps.
     */
    private static void planHandlerQueue(Convention convention, Options options, RetryPolicy retryPolicy, String queue,
                                         Set<Exchange> exchanges, List<Queue> queues, Set<Binding> bindings) {
        String retryQueue = convention.retryQueue(queue);
        String deadLetterQueue = convention.deadLetterQueue(queue);
        String retryKey = convention.retryRoutingKey(queue);
        String deadLetterKey = convention.deadLetterRoutingKey(queue);

        Map<String, Object> handlerArgs = typeArgs(options, true);
        deadLetterTo(handlerArgs, options, convention.deadLetterExchange(), deadLetterKey);
        if (options.handlerQueueTtl() != null) {
            handlerArgs.put(MESSAGE_TTL, options.handlerQueueTtl());
        }
        queues.add(new Queue(queue, handlerArgs, false));

        if (retryPolicy.usesRetryQueue()) {
            Map<String, Object> retryArgs = typeArgs(options, false);
            deadLetterTo(retryArgs, options, convention.mainExchange(), retryKey);
            retryArgs.put(MESSAGE_TTL, retryPolicy.delayMillis());
            queues.add(new Queue(retryQueue, retryArgs, false));
        }

        queues.add(new Queue(deadLetterQueue, typeArgs(options, false), false));

        bindings.add(new Binding(convention.mainExchange(), queue, retryKey));
        if (retryPolicy.usesRetryQueue()) {
            bindings.add(new Binding(convention.retryExchange(), retryQueue, retryKey));
        } else {
            planDelayQueues(convention, options, retryPolicy, exchanges, queues, bindings);
        }
        bindings.add(new Binding(convention.deadLetterExchange(), deadLetterQueue, deadLetterKey));
    }

    /**
     * The delay exchange and the delay queues of a ladder or backoff, each declared once however many handlers share
     * it: {@code x-message-ttl} of its delay, dead-lettering to the main exchange with no {@code x-dead-letter-routing-key},
     * so a copy returns with the key it was sent with, {@code retry.<handler queue>}, to its handler queue only.
     */
    private static void planDelayQueues(Convention convention, Options options, RetryPolicy retryPolicy,
                                        Set<Exchange> exchanges, List<Queue> queues, Set<Binding> bindings) {
        String exchange = delayExchange(convention);
        exchanges.add(new Exchange(exchange, false, HEADERS));
        for (int delay : retryPolicy.brokerDelays()) {
            String name = delayQueue(convention, delay);
            if (queues.stream().anyMatch(q -> q.name().equals(name))) {
                continue;
            }
            Map<String, Object> args = typeArgs(options, false);
            args.put(DEAD_LETTER_EXCHANGE, convention.mainExchange());
            if (options.queueType() == QueueType.QUORUM) {
                args.put(DEAD_LETTER_STRATEGY, "at-least-once");
                args.put(OVERFLOW, "reject-publish");
            }
            args.put(MESSAGE_TTL, delay);
            queues.add(new Queue(name, args, false));
            Map<String, Object> match = new LinkedHashMap<>();
            match.put("x-match", "all");
            match.put(Headers.DELAY, String.valueOf(delay));
            bindings.add(new Binding(exchange, name, "", match));
        }
    }

    private static void planStore(Convention convention, Options options, Set<Exchange> exchanges, List<Queue> queues,
                                  Set<Binding> bindings) {
        String main = convention.mainExchange();
        String serviceDeadLetter = convention.deadLetterExchange();
        String storeRetry = convention.storeRetryExchange();
        String storeDeadLetter = convention.storeDeadLetterExchange();
        exchanges.add(new Exchange(storeRetry, true));
        exchanges.add(new Exchange(storeDeadLetter, true));

        Map<String, Object> storeArgs = typeArgs(options, false);
        deadLetterTo(storeArgs, options, storeDeadLetter, Convention.STORE_DEAD_LETTER_QUEUE);
        if (options.storeQueueTtl() != null) {
            storeArgs.put(MESSAGE_TTL, options.storeQueueTtl());
        }
        queues.add(new Queue(Convention.STORE_QUEUE, storeArgs, true));

        Map<String, Object> retryArgs = typeArgs(options, false);
        deadLetterTo(retryArgs, options, storeRetry, Convention.STORE_QUEUE);
        retryArgs.put(MESSAGE_TTL, options.storeRetryDelay());
        queues.add(new Queue(Convention.STORE_RETRY_QUEUE, retryArgs, true));

        queues.add(new Queue(Convention.STORE_DEAD_LETTER_QUEUE, typeArgs(options, false), true));

        for (String key : convention.storeBindingKeys()) {
            bindings.add(new Binding(main, Convention.STORE_QUEUE, key));
            bindings.add(new Binding(storeRetry, Convention.STORE_QUEUE, key));
        }
        // petisco's own dead-letter keys only: a "#" key here would copy every handler's dead letters into the store's
        for (String key : List.of("*.*.*.event.*", "*.*.*.command.*")) {
            bindings.add(new Binding(serviceDeadLetter, Convention.STORE_DEAD_LETTER_QUEUE, "dead_letter." + key));
        }
        bindings.add(new Binding(main, Convention.STORE_QUEUE, Convention.STORE_RETRY_QUEUE));
        bindings.add(new Binding(main, Convention.STORE_QUEUE, Convention.STORE_QUEUE));
        bindings.add(new Binding(storeRetry, Convention.STORE_QUEUE, Convention.STORE_QUEUE));
        bindings.add(new Binding(storeRetry, Convention.STORE_RETRY_QUEUE, Convention.STORE_RETRY_QUEUE));
        bindings.add(new Binding(storeDeadLetter, Convention.STORE_DEAD_LETTER_QUEUE, Convention.STORE_DEAD_LETTER_QUEUE));
        bindings.add(new Binding(serviceDeadLetter, Convention.STORE_DEAD_LETTER_QUEUE, Convention.STORE_DEAD_LETTER_QUEUE));
    }

    /**
     * Where the broker dead-letters a queue's messages. Quorum queues dead-letter at most once by default (a message
     * whose TTL expires while its target is unavailable is dropped), so they are declared at-least-once, which
     * RabbitMQ allows only with {@code x-overflow=reject-publish}.
     */
    private static void deadLetterTo(Map<String, Object> args, Options options, String exchange, String routingKey) {
        args.put(DEAD_LETTER_EXCHANGE, exchange);
        args.put(DEAD_LETTER_ROUTING_KEY, routingKey);
        if (options.queueType() == QueueType.QUORUM) {
            args.put(DEAD_LETTER_STRATEGY, "at-least-once");
            args.put(OVERFLOW, "reject-publish");
        }
    }

    private static Map<String, Object> typeArgs(Options options, boolean handlerQueue) {
        Map<String, Object> args = new LinkedHashMap<>();
        if (options.queueType() == QueueType.QUORUM) {
            args.put(QUEUE_TYPE, "quorum");
            if (handlerQueue) {
                args.put(DELIVERY_LIMIT, options.deliveryLimit());
            }
        }
        return args;
    }

    /** The queue with this name, if planned. */
    public java.util.Optional<Queue> queue(String name) {
        return queues.stream().filter(q -> q.name().equals(name)).findFirst();
    }
}
