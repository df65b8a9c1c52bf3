package dev.eventbus.core;

import java.util.List;
import java.util.Objects;

/**
 * Every broker name of one service, from its organization and service names: exchanges, routing keys,
 * handler queues with their retry and dead-letter queues, and the shared store queues. Immutable.
 *
 * <p>The names are petisco's (the wire format facts are in this repository's {@code eventbus-core/src/test/resources/wire/README.md}),
 * so Java and Python services share a broker (with the default
 * {@link NameStyle#UNDERSCORES}; the body's {@code type} keeps its dots, {@code user.created}):
 * <pre>
 * main exchange        alice.petisco
 * routing key          alice.petisco.1.event.user_created
 * handler queue        alice.petisco.1.event.user_created.send_mail_handler
 * retry queue          retry.alice.petisco.1.event.user_created.send_mail_handler
 * dead-letter queue    dead_letter.alice.petisco.1.event.user_created.send_mail_handler
 * endpoint queue       alice.petisco.endpoint.task_board   (several types, one queue: Subscription.endpointQueue())
 * </pre>
 *
 * @param organization company, team or project, e.g. {@code alice}
 * @param service      the service, e.g. {@code petisco}
 * @param style        how message names are written in broker names
 */
public record Convention(String organization, String service, NameStyle style) {

    /** Shared by every service of the vhost (petisco's store queue). */
    public static final String STORE_QUEUE = "store";
    /** Shared retry queue of the store. */
    public static final String STORE_RETRY_QUEUE = "retry.store";
    /** Shared dead-letter queue of the store. */
    public static final String STORE_DEAD_LETTER_QUEUE = "dead_letter.store";

    public Convention {
        Names.requireScopePart(organization, "organization");
        Names.requireScopePart(service, "service");
        Objects.requireNonNull(style, "style");
        Names.requireAmqpLength(organization + "." + service, "exchange");
    }

    /** A convention with the default {@link NameStyle#UNDERSCORES}, as petisco names queues and routing keys. */
    public static Convention of(String organization, String service) {
        return new Convention(organization, service, NameStyle.UNDERSCORES);
    }

    /** The main topic exchange, {@code org.service}: everything is published here. */
    public String mainExchange() {
        return organization + "." + service;
    }

    /** The retry exchange, {@code retry.org.service}. */
    public String retryExchange() {
        return "retry." + mainExchange();
    }

    /** The dead-letter exchange, {@code dead_letter.org.service}. */
    public String deadLetterExchange() {
        return "dead_letter." + mainExchange();
    }

    /** The routing key of a message: {@code org.service.version.event|command.name}. */
    public String routingKey(String messageName, int version, MessageKind kind) {
        Names.requireMessageName(messageName, "message name");
        return Names.requireAmqpLength(mainExchange() + "." + version + "." + kind.routingSegment() + "."
                + style.apply(messageName), "routing key");
    }

    /** The routing key of a message type: the one its class declares with {@link RoutingKey}, else the convention's. */
    public String routingKey(MessageType<?> type) {
        return type.declaredRoutingKey().orElseGet(() -> routingKey(type.name(), type.version(), type.kind()));
    }

    /** The routing key of a message: the one its payload's class declares with {@link RoutingKey}, else the convention's. */
    public String routingKey(Message<?> message) {
        return MessageType.declaredRoutingKey(message.payload().getClass())
                .orElseGet(() -> routingKey(message.name(), message.version(), message.kind()));
    }

    /**
     * The queue of one handler for one message type: {@code routingKey.handler}, or {@code org.service.key.handler} for a
     * type that declares its key with {@link RoutingKey}. Checked so that its
     * longest derived name ({@code dead_letter.} + queue) fits AMQP's 255 bytes.
     */
    public String handlerQueue(MessageType<?> type, String handlerName) {
        Names.requireHandlerName(handlerName);
        // a declared key names no service: the subscriber's exchange in front keeps its queues its own
        String queue = type.declaredRoutingKey().map(key -> mainExchange() + "." + key).orElseGet(() -> routingKey(type))
                + "." + handlerName;
        Names.requireAmqpLength(deadLetterQueue(queue), "dead-letter queue");
        return queue;
    }

    /**
     * The queue of a handler of every message of this service ({@code Subscription.allMessages}):
     * {@code org.service.all.handler}.
     */
    public String allMessagesQueue(String handlerName) {
        Names.requireHandlerName(handlerName);
        String queue = mainExchange() + ".all." + handlerName;
        Names.requireAmqpLength(deadLetterQueue(queue), "dead-letter queue");
        return queue;
    }

    /**
     * The one queue of a handler of several message types that keeps their publish order ({@code
     * Subscription.endpointQueue()}): {@code org.service.endpoint.handler}. It cannot meet a per-type handler queue, whose
     * third part is a version number, nor an all-messages queue ({@code org.service.all.handler}); petisco names no queue
     * so. Checked so that its dead-letter queue's name fits AMQP's 255 bytes.
     */
    public String endpointQueue(String handlerName) {
        Names.requireHandlerName(handlerName);
        String queue = mainExchange() + ".endpoint." + handlerName;
        Names.requireAmqpLength(deadLetterQueue(queue), "dead-letter queue");
        return queue;
    }

    /** The binding keys of every event and command this service publishes: {@code org.service.*.event.#} and {@code ...command.#}. */
    public List<String> allMessagesBindingKeys() {
        return List.of(mainExchange() + ".*." + MessageKind.DOMAIN_EVENT.routingSegment() + ".#",
                mainExchange() + ".*." + MessageKind.COMMAND.routingSegment() + ".#");
    }

    /**
     * Where a subscription receives messages: for each message type a handler queue ({@link #handlerQueue}) bound to the
     * publisher's exchange with the type's routing key; for an all-messages handler one queue ({@link #allMessagesQueue})
     * bound with the publisher's event and command keys; for a handler with an {@link Subscription#endpointQueue() endpoint
     * queue} one queue ({@link #endpointQueue}) bound with the routing key of each of its types; for a store handler the shared {@link #STORE_QUEUE} bound with
     * {@link #storeBindingKeys()}. The publisher is this service, or the subscription's {@link Subscription#source()}. A
     * {@link Subscription#live() live} subscription's queues are those, named {@link #liveQueue} for its instance.
     */
    public List<Endpoint> endpoints(Subscription subscription) {
        if (subscription.isLive()) {
            String instance = subscription.liveInstance().orElseThrow();
            return endpointsOf(subscription).stream().map(endpoint -> new Endpoint(subscription, endpoint.type(),
                    liveQueue(endpoint.queue(), instance), endpoint.bindings())).toList();
        }
        return endpointsOf(subscription);
    }

    /**
     * The queue of one instance of a {@link Subscription#live() live} subscription: {@code <queue>.live.<instance>}, where
     * {@code queue} is the handler (or all-messages) queue the subscription would have otherwise.
     */
    public String liveQueue(String queue, String instance) {
        return Names.requireAmqpLength(queue + ".live." + instance, "live queue");
    }

    private List<Endpoint> endpointsOf(Subscription subscription) {
        if (subscription.isStore()) {
            return List.of(new Endpoint(subscription, null, STORE_QUEUE,
                    storeBindingKeys().stream().map(key -> new Endpoint.Binding(mainExchange(), key)).toList()));
        }
        Convention publisher = subscription.source().map(source -> source.convention(this)).orElse(this);
        if (subscription.isAllMessages()) {
            return List.of(new Endpoint(subscription, null, allMessagesQueue(subscription.handlerName()),
                    publisher.allMessagesBindingKeys().stream().map(key -> new Endpoint.Binding(publisher.mainExchange(), key))
                            .toList()));
        }
        if (subscription.isEndpointQueue()) {
            List<Endpoint.Binding> bindings = subscription.types().stream()
                    .map(type -> new Endpoint.Binding(publisher.mainExchange(), publisher.routingKey(type))).distinct().toList();
            return List.of(new Endpoint(subscription, null, endpointQueue(subscription.handlerName()), bindings));
        }
        List<Endpoint> endpoints = new java.util.ArrayList<>(subscription.types().size());
        for (MessageType<?> type : subscription.types()) {
            endpoints.add(new Endpoint(subscription, type, handlerQueue(type, subscription.handlerName()),
                    List.of(new Endpoint.Binding(publisher.mainExchange(), publisher.routingKey(type)))));
        }
        return endpoints;
    }

    /**
     * The stream of this service ({@code Subscription.stream}): {@code org.service.stream}, a RabbitMQ stream queue bound
     * to {@link #mainExchange()} with {@link #allMessagesBindingKeys()}, so it keeps every event and command published.
     */
    public String stream() {
        return Names.requireAmqpLength(mainExchange() + ".stream", "stream");
    }

    /** The retry queue of a handler queue: {@code retry.queue}. */
    public String retryQueue(String handlerQueue) {
        return "retry." + handlerQueue;
    }

    /**
     * The routing key that takes a message to a handler's retry queue (through the retry exchange) and,
     * once its TTL expires, back to that handler's queue only (through the main exchange):
     * {@code retry.queue}.
     */
    public String retryRoutingKey(String handlerQueue) {
        return "retry." + handlerQueue;
    }

    /** The dead-letter queue of a handler queue: {@code dead_letter.queue}. */
    public String deadLetterQueue(String handlerQueue) {
        return "dead_letter." + handlerQueue;
    }

    /** The routing key of a handler's dead-letter queue on the dead-letter exchange. */
    public String deadLetterRoutingKey(String handlerQueue) {
        return "dead_letter." + handlerQueue;
    }

    /** The organization-wide retry exchange of the store, {@code retry.org.store}. */
    public String storeRetryExchange() {
        return "retry." + organization + ".store";
    }

    /** The organization-wide dead-letter exchange of the store, {@code dead_letter.org.store}. */
    public String storeDeadLetterExchange() {
        return "dead_letter." + organization + ".store";
    }

    /**
     * The binding keys that send every event and command to the store queue: petisco's
     * {@code *.*.*.event.*} and {@code *.*.*.command.*}, and with {@link NameStyle#DOTS} also
     * {@code *.*.*.event.#} and {@code *.*.*.command.#}, since dotted names have more than one word.
     */
    public List<String> storeBindingKeys() {
        List<String> petisco = List.of("*.*.*.event.*", "*.*.*.command.*");
        if (style == NameStyle.UNDERSCORES) {
            return petisco;
        }
        return List.of(petisco.get(0), petisco.get(1), "*.*.*.event.#", "*.*.*.command.#");
    }
}
