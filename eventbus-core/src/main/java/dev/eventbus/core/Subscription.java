package dev.eventbus.core;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One named handler and the message types it handles. Immutable and thread-safe.
 *
 * <p>On RabbitMQ each (type, handler) pair gets its own queue, {@code routingKey.handler}, with its
 * retry and dead-letter queues; a handler of several types with {@link #endpointQueue()} gets one queue for all of them,
 * {@code org.service.endpoint.handler}, so that they arrive in publish order; a store subscription reads the shared
 * {@code store} queue, which sees every event and command.
 *
 * <pre>{@code
 * Subscription.of(UserCreated.class, new SendMailHandler());          // name: send_mail_handler
 * Subscription.of(UserCreated.class, "send_mail_handler", message -> mailer.send(message.payload()));
 * Subscription.of("audit_handler", (Message<Event> m) -> audit(m), UserCreated.class, UserDeleted.class);
 * Subscription.of("task_board", (Message<Event> m) -> board.apply(m.payload()), TaskCreated.class, TaskCompleted.class)
 *         .endpointQueue();                                            // one queue: created before completed
 * Subscription.handling(UserCreated.class, "send_mail_handler", (message, delivery) -> mailer.send(message.payload(),
 *         delivery.attempt()));                                        // with the delivery as an argument
 * Subscription.store("event_store", message -> store.save(message));
 * Subscription.allMessages("statistics", message -> stats.count(message.name()));
 * Subscription.of(ReturnsUpdated.class, "refresh_view", message -> view.refresh(message.payload())).live();
 * }</pre>
 */
public final class Subscription {

    private final String handlerName;
    private final List<MessageType<?>> types;
    private final boolean store;
    private final boolean allMessages;
    private final DeliveryHandler<Object> handler;
    private final RetryPolicy retryPolicy;
    private final Source source;
    private final @Nullable String liveInstance;
    private final FailureClassification classification;
    private final @Nullable KillSwitch killSwitch;
    private final boolean publishesFailures;
    private final Consuming consuming;
    private final boolean endpointQueue;
    private final @Nullable StreamOptions streamOptions;

    /**
     * The service whose messages a subscription receives, when it is not the subscriber's own.
     *
     * @param organization the publisher's organization, or null for the subscriber's own
     * @param service      the publisher's service
     */
    public record Source(@Nullable String organization, String service) {
        public Source {
            if (organization != null) {
                Names.requireScopePart(organization, "source organization");
            }
            Names.requireScopePart(service, "source service");
        }

        /** The publisher's naming convention, given the subscriber's. */
        public Convention convention(Convention subscriber) {
            return new Convention(organization == null ? subscriber.organization() : organization, service, subscriber.style());
        }
    }

    private Subscription(String handlerName, List<MessageType<?>> types, boolean store, DeliveryHandler<Object> handler,
                         @Nullable RetryPolicy retryPolicy) {
        this(handlerName, types, store, false, handler, retryPolicy, null);
    }

    private Subscription(String handlerName, List<MessageType<?>> types, boolean store, boolean allMessages,
                         DeliveryHandler<Object> handler, @Nullable RetryPolicy retryPolicy, @Nullable Source source) {
        this(handlerName, types, store, allMessages, handler, retryPolicy, source, null, FailureClassification.retryingAll(),
                null, false);
    }

    private Subscription(String handlerName, List<MessageType<?>> types, boolean store, boolean allMessages,
                         DeliveryHandler<Object> handler, @Nullable RetryPolicy retryPolicy, @Nullable Source source,
                         @Nullable String liveInstance, FailureClassification classification,
                         @Nullable KillSwitch killSwitch, boolean publishesFailures) {
        this(handlerName, types, store, allMessages, handler, retryPolicy, source, liveInstance, classification, killSwitch,
                publishesFailures, Consuming.DEFAULT, false, null);
    }

    private Subscription(String handlerName, List<MessageType<?>> types, boolean store, boolean allMessages,
                         DeliveryHandler<Object> handler, @Nullable RetryPolicy retryPolicy, @Nullable Source source,
                         @Nullable String liveInstance, FailureClassification classification,
                         @Nullable KillSwitch killSwitch, boolean publishesFailures, Consuming consuming,
                         boolean endpointQueue, @Nullable StreamOptions streamOptions) {
        this.consuming = Objects.requireNonNull(consuming, "consuming");
        consuming.check(handlerName, store, liveInstance != null, killSwitch != null);
        this.liveInstance = liveInstance;
        this.endpointQueue = endpointQueue;
        if (endpointQueue && (store || allMessages)) {
            throw new ConfigurationException("handler '" + handlerName + "' " + (store ? "reads the shared store queue"
                    : "has one queue of every message already (allMessages)") + ", so it takes no endpoint queue: "
                    + "endpointQueue() is for a handler of several named types, e.g. Subscription.of(\"task_board\", handler, "
                    + "TaskCreated.class, TaskCompleted.class).endpointQueue()");
        }
        this.streamOptions = streamOptions;
        if (streamOptions != null && (store || liveInstance != null || retryPolicy != null)) {
            throw new ConfigurationException("stream handler '" + handlerName + "' " + (store
                    ? "cannot read the store queue: a stream subscription reads its service's stream; subscribe the types, "
                    + "or allMessages(...), with stream(...)"
                    : liveInstance != null ? "cannot be live too: a stream keeps its events for every subscriber, a live "
                    + "queue only while its instance runs; choose one"
                    : "retries in place, not through a retry queue: set StreamOptions.failures(policy) instead of withRetry"));
        }
        if (streamOptions != null && (endpointQueue || killSwitch != null || !consuming.equals(Consuming.DEFAULT))) {
            throw new ConfigurationException("stream handler '" + handlerName + "' reads its service's stream one event at a"
                    + " time, in the stream's order, from a stored offset: endpointQueue(), withKillSwitch(...),"
                    + " withConcurrency(...), orderedBy(...) and withSingleActiveConsumer() apply to queue subscriptions only;"
                    + " remove them, or subscribe without stream(...)");
        }
        if (liveInstance != null && (store || retryPolicy != null && !retryPolicy.usesRetryQueue())) {
            throw new ConfigurationException("live handler '" + handlerName + "' " + (store
                    ? "cannot read the store: the store queue is one durable queue the whole vhost shares; subscribe the "
                    + "types, or allMessages(...), live"
                    : "retries through a retry queue of its instance, which waits one fixed delay: a ladder or backoff "
                    + "waits in the service's shared delay queues, which cannot route back to an exclusive queue; give it "
                    + "RetryPolicy.of(maxRetries, delay), or subscribe it without live()"));
        }
        this.classification = Objects.requireNonNull(classification, "classification");
        this.killSwitch = killSwitch;
        this.publishesFailures = publishesFailures;
        this.handlerName = Names.requireHandlerName(handlerName);
        this.types = List.copyOf(types);
        this.store = store;
        this.allMessages = allMessages;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.retryPolicy = retryPolicy;
        this.source = source;
        if (store && source != null) {
            throw new ConfigurationException("store handler '" + handlerName + "' reads the shared store queue, which every "
                    + "service's exchange feeds: it takes no source service");
        }
        if (!store && !allMessages && this.types.isEmpty()) {
            throw new ConfigurationException("handler '" + handlerName + "' subscribes to no message type: name at least one class");
        }
        if (this.types.stream().map(t -> t.name() + "/" + t.version()).distinct().count() != this.types.size()) {
            throw new ConfigurationException("handler '" + handlerName + "' names the same message type twice: " + this.types);
        }
    }

    /** A handler whose name is derived from its class ({@code SendMailHandler} -> {@code send_mail_handler}). */
    public static <T> Subscription of(Class<T> type, MessageHandler<T> handler) {
        return of(type, Names.handlerName(handler.getClass()), handler);
    }

    /**
     * A handler that takes its {@link Delivery} as an argument, named after its class. (A name of its own, not an overload
     * of {@code of}, so that method references such as {@code received::add} stay unambiguous.)
     */
    public static <T> Subscription handling(Class<T> type, DeliveryHandler<T> handler) {
        return handling(type, Names.handlerName(handler.getClass()), handler);
    }

    /** A named handler of one message type. */
    public static <T> Subscription of(Class<T> type, String handlerName, MessageHandler<T> handler) {
        return handling(type, handlerName, withDelivery(handler));
    }

    /** A named handler of one message type that takes its {@link Delivery} as an argument. */
    public static <T> Subscription handling(Class<T> type, String handlerName, DeliveryHandler<T> handler) {
        return new Subscription(handlerName, List.of(MessageType.of(type)), false, erase(handler), null);
    }

    /** A named handler of several message types with a common supertype. */
    @SafeVarargs
    public static <T> Subscription of(String handlerName, MessageHandler<T> handler, Class<? extends T>... types) {
        return handling(handlerName, withDelivery(handler), types);
    }

    /** A named handler of several message types with a common supertype, taking its {@link Delivery} as an argument. */
    @SafeVarargs
    public static <T> Subscription handling(String handlerName, DeliveryHandler<T> handler, Class<? extends T>... types) {
        List<MessageType<?>> messageTypes = Arrays.stream(types).<MessageType<?>>map(MessageType::of).toList();
        return new Subscription(handlerName, messageTypes, false, erase(handler), null);
    }

    /**
     * A handler of every event and command (petisco's store), whatever its type: it receives the
     * attributes untyped, as a map. Messages nobody registered a Java type for reach it too.
     */
    public static Subscription store(String handlerName, MessageHandler<Map<String, Object>> handler) {
        return new Subscription(handlerName, List.of(), true, erase(withDelivery(handler)), null);
    }

    /**
     * A handler of every event and command this service publishes (or, with {@link #from(String)}, another service),
     * whatever its type, with a queue of its own: {@code <org>.<service>.all.<handler>}, with its own retry and
     * dead-letter queues. Unlike {@link #store}, which reads the one queue a whole vhost shares, any number of such
     * handlers each see every message. Attributes arrive untyped, as a map.
     */
    public static Subscription allMessages(String handlerName, MessageHandler<Map<String, Object>> handler) {
        return new Subscription(handlerName, List.of(), false, true, erase(withDelivery(handler)), null, null);
    }

    private static <T> DeliveryHandler<T> withDelivery(MessageHandler<T> handler) {
        Objects.requireNonNull(handler, "handler");
        return (message, delivery) -> handler.handle(message);
    }

    @SuppressWarnings("unchecked")
    private static DeliveryHandler<Object> erase(DeliveryHandler<?> handler) {
        return (DeliveryHandler<Object>) Objects.requireNonNull(handler, "handler");
    }

    /**
     * A copy with its own retry policy instead of the bus's default. On a {@link #live() live} subscription it gives the
     * instance a retry queue and a durable dead-letter queue (see {@link #live()}); the policy must then be fixed.
     *
     * @throws ConfigurationException on a live subscription, for a ladder or backoff
     */
    public Subscription withRetry(RetryPolicy policy) {
        return new Subscription(handlerName, types, store, allMessages, handler, Objects.requireNonNull(policy, "policy"), source,
                liveInstance, classification, killSwitch, publishesFailures, consuming, endpointQueue, streamOptions);
    }

    /**
     * A copy that receives only what is published while this service instance runs: on RabbitMQ each of its queues is
     * non-durable, exclusive to the bus's consumer connection and auto-deleted, named
     * {@code <handler queue>.live.<instance>}, declared with its bindings when the bus starts consuming (not by
     * {@code admin().configure()}) and removed by the broker when the instance stops, pauses the handler or goes away.
     * Without a retry policy of its own it has no retry or dead-letter queue: a message its handler fails on is dropped,
     * with a WARN log (the bus's default policy does not apply). Events published while the instance is not consuming are
     * never delivered to it. The instance is a random 8-hex-digit id made here, so every process that builds the
     * subscription gets queues of its own; {@link #live(String)} names it.
     *
     * <p>With a fixed retry policy of its own, {@code live().withRetry(RetryPolicy.of(3, Duration.ofSeconds(1)))}, a
     * failed message is retried: it waits in the instance's retry queue {@code retry.<live queue>} (non-durable,
     * exclusive, auto-delete, {@code x-message-ttl} of the delay, dead-lettering back to the live queue only), declared
     * with the live queue and gone with it. Once its retries are exhausted (or at once when not retryable) it is
     * dead-lettered to the <em>durable</em> {@code dead_letter.<live queue>}, which outlives the instance, so that a dead
     * letter is never lost with it: {@code admin().configure()} declares it, {@code admin().clear()} and the dead-letter
     * commands deal with it as with any dead-letter queue. Give such a subscription a stable {@link #live(String)
     * instance} name, or each run leaves a dead-letter queue of its own. A retry waiting when the instance stops, or
     * pauses the handler, is lost with the live queue.
     *
     * @throws ConfigurationException for a store subscription, or one whose retry policy is a ladder or backoff (those
     *                                wait in the service's shared delay queues, which cannot reach an exclusive queue)
     */
    public Subscription live() {
        return live(java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextInt()));
    }

    /**
     * A live copy ({@link #live()}) whose instance has this name, e.g. the host or pod name: it must differ between the
     * instances that run at the same time (each instance's queues are exclusive to it).
     *
     * @param instance lower-case letters, digits and {@code _} ({@code [a-z0-9_]+})
     * @throws ConfigurationException if the instance name is invalid, for a store subscription, or one whose retry policy
     *                                is a ladder or backoff
     */
    public Subscription live(String instance) {
        Objects.requireNonNull(instance, "instance");
        if (!instance.matches("[a-z0-9_]+")) {
            throw new ConfigurationException("live instance '" + instance + "' of handler '" + handlerName + "' must be "
                    + "lower-case letters, digits and _ (it is part of a queue name), e.g. the host name in lower case");
        }
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, source, instance, classification,
                killSwitch, publishesFailures, consuming, endpointQueue, streamOptions);
    }

    /**
     * A copy that receives all its message types on one queue, its endpoint queue, so that they arrive in the order they
     * were published, across types (as a MassTransit receive endpoint): a {@code TaskCompleted} is never handled before
     * the {@code TaskCreated} published before it. Without it each type has a queue of its own, and two queues are
     * consumed independently. On RabbitMQ the queue is {@code <org>.<service>.endpoint.<handler>}, bound to the
     * publisher's exchange with the routing key of each type, with its retry and dead-letter queues like any handler
     * queue ({@code retry.<queue>}, {@code dead_letter.<queue>}). A message of a type the handler does not name that
     * reaches the queue is dead-lettered as {@link DeadLetterReason#UNKNOWN_TYPE}.
     *
     * <p>The queue keeps publish order; the handler sees it as long as one message of the queue is handled at a time (one
     * handler thread) and nothing is retried: a retried message returns behind what was published after it, and a
     * dead-lettered one is out of the stream until it is replayed. Combined with {@link #live()}, the instance's one
     * live queue is {@code <endpoint queue>.live.<instance>}.
     *
     * @throws ConfigurationException for a store or all-messages subscription, which has one queue already
     */
    public Subscription endpointQueue() {
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, source, liveInstance, classification,
                killSwitch, publishesFailures, consuming, true, streamOptions);
    }

    /** Whether all this handler's types arrive on one queue ({@link #endpointQueue()}), in publish order. */
    public boolean isEndpointQueue() {
        return endpointQueue;
    }

    /**
     * A copy that reads its service's stream (a RabbitMQ stream queue, {@code x-queue-type=stream}, named
     * {@link Convention#stream()}, bound to the service's exchange like a queue) instead of a queue of its own: every
     * event and command the service publishes is kept in the stream, for its retention, whoever reads it, and this
     * subscriber reads it from its stored offset, or, the first time, from {@link StreamOptions#start()}. It handles
     * the events of its {@link #types()} (every one, for {@link #allMessages}) and passes the others; a returning
     * subscriber gets what it missed in chunks of {@link StreamOptions#chunkSize()}. Events are handled one at a time,
     * in the stream's order. A failure is retried in place ({@link StreamOptions#failures()}), then recorded as a dead
     * letter of the handler ({@code dead_letter.<stream>.<handler>} on RabbitMQ) and passed: a stream cannot requeue or
     * dead-letter, and one bad event must not hold it forever.
     *
     * <pre>{@code
     * Subscription.of(UserCreated.class, "audit", m -> audit(m))
     *         .stream(StreamOptions.from(StreamStart.first()).offsets(offsetStore));
     * }</pre>
     *
     * @throws ConfigurationException for a store or live subscription, or one with a retry policy of its own
     */
    public Subscription stream(StreamOptions options) {
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, source, liveInstance, classification,
                killSwitch, publishesFailures, consuming, endpointQueue, Objects.requireNonNull(options, "options"));
    }

    /** Whether this is a {@link #stream(StreamOptions) stream} subscription. */
    public boolean isStream() {
        return streamOptions != null;
    }

    /** The options of a {@link #stream(StreamOptions) stream} subscription; empty for others. */
    public Optional<StreamOptions> streamOptions() {
        return Optional.ofNullable(streamOptions);
    }

    /** Whether this is a {@link #live()} subscription: queues of this instance only, while it runs. */
    public boolean isLive() {
        return liveInstance != null;
    }

    /** The instance name of a {@link #live()} subscription, part of its queues' names; empty for others. */
    public Optional<String> liveInstance() {
        return Optional.ofNullable(liveInstance);
    }

    /**
     * Whether this is a {@link #live() live} subscription with a retry policy of its own, so that its instance has a
     * retry queue and a dead-letter queue; a live subscription without one drops what its handler fails on.
     */
    public boolean isLiveWithRetries() {
        return liveInstance != null && retryPolicy != null;
    }

    /**
     * A copy that retries only the failures this classification retries (and the bus's retries too); the others are
     * dead-lettered at once as {@link DeadLetterReason#NON_RETRYABLE}. See {@link FailureClassification}.
     */
    public Subscription withFailureClassification(FailureClassification rules) {
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, source, liveInstance,
                Objects.requireNonNull(rules, "rules"), killSwitch, publishesFailures, consuming, endpointQueue, streamOptions);
    }

    /** A copy whose consumption stops for a cool-down when too many of its attempts fail; see {@link KillSwitch}. */
    public Subscription withKillSwitch(KillSwitch killSwitch) {
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, source, liveInstance, classification,
                Objects.requireNonNull(killSwitch, "killSwitch"), publishesFailures, consuming, endpointQueue, streamOptions);
    }

    /**
     * A copy that publishes a {@link MessageFailed} event each time it dead-letters a message, so that another service
     * can react (as MassTransit's {@code Fault<T>}). The event is published on this service's exchange like any event.
     */
    public Subscription publishingFailures() {
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, source, liveInstance, classification,
                killSwitch, true, consuming, endpointQueue, streamOptions);
    }

    /**
     * A copy that handles up to this many of its deliveries at once, on threads of its own (created when there is work,
     * gone after 30 s idle), instead of the bus's shared handler threads ({@code consumerThreads} on RabbitMQ,
     * {@code handlerThreads} in memory, which stay the default). On RabbitMQ its consumer's prefetch is raised to at
     * least twice the concurrency, so every thread has a message waiting. Without {@link #orderedBy} messages of one
     * queue may then be handled out of order.
     *
     * @param handlers 1 to 1024
     * @throws ConfigurationException if out of range
     */
    public Subscription withConcurrency(int handlers) {
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, source, liveInstance, classification,
                killSwitch, publishesFailures, consuming.withConcurrency(handlerName, handlers), endpointQueue, streamOptions);
    }

    /**
     * A copy whose messages with the same key are handled one at a time in delivery order, and with different keys in
     * parallel (up to the subscription's {@link #withConcurrency concurrency}, or the bus's handler threads). A message
     * that fails holds its key: it is retried in place (after the policy's delay, counting attempts as usual, without
     * going through a retry queue that would let later messages of its key overtake it) until it is handled or
     * dead-lettered, while the later messages of its key wait and other keys go on. Each message is acknowledged only once
     * handled or dead-lettered, so what waits is bounded by the prefetch. A retry waiting in place is not kept across a
     * restart: the message goes back to its queue and starts its attempts again.
     *
     * @throws ConfigurationException with a {@link #withKillSwitch kill switch} (its set-aside would reorder the key)
     */
    public Subscription orderedBy(OrderingKey key) {
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, source, liveInstance, classification,
                killSwitch, publishesFailures, consuming.orderedBy(Objects.requireNonNull(key, "key")), endpointQueue, streamOptions);
    }

    /**
     * A copy whose RabbitMQ queues are declared with {@code x-single-active-consumer}: of all the service instances that
     * consume them, the broker delivers to one at a time and hands over to another when it goes, so the queue is handled
     * in order across replicas. A queue's arguments cannot change once declared: add it to a new handler (or delete the
     * queue first). The in-memory bus has one consumer per queue anyway.
     *
     * @throws ConfigurationException for a store or live subscription (their queues are shared, or exclusive already)
     */
    public Subscription withSingleActiveConsumer() {
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, source, liveInstance, classification,
                killSwitch, publishesFailures, consuming.singleActive(), endpointQueue, streamOptions);
    }

    /** How many deliveries this handler runs at once, if set with {@link #withConcurrency}; else the bus's threads. */
    public java.util.OptionalInt concurrency() {
        return consuming.concurrency == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(consuming.concurrency);
    }

    /** The key its messages are ordered by, if it is {@link #orderedBy ordered}. */
    public Optional<OrderingKey> orderingKey() {
        return Optional.ofNullable(consuming.ordering);
    }

    /** Whether its queues are declared with {@code x-single-active-consumer} ({@link #withSingleActiveConsumer}). */
    public boolean singleActiveConsumer() {
        return consuming.singleActiveConsumer;
    }

    /** How the handler consumes: concurrency (0: the bus's threads), ordering key, single active consumer. */
    private record Consuming(int concurrency, @Nullable OrderingKey ordering, boolean singleActiveConsumer) {
        static final Consuming DEFAULT = new Consuming(0, null, false);

        Consuming withConcurrency(String handler, int handlers) {
            if (handlers < 1 || handlers > 1024) {
                throw new ConfigurationException("concurrency " + handlers + " of handler '" + handler + "' is out of range: "
                        + "give 1 to 1024 deliveries handled at once");
            }
            return new Consuming(handlers, ordering, singleActiveConsumer);
        }

        Consuming orderedBy(OrderingKey key) {
            return new Consuming(concurrency, key, singleActiveConsumer);
        }

        Consuming singleActive() {
            return new Consuming(concurrency, ordering, true);
        }

        void check(String handler, boolean store, boolean live, boolean killSwitch) {
            if (ordering != null && killSwitch) {
                throw new ConfigurationException("handler '" + handler + "' is ordered by key and has a kill switch: a kill "
                        + "switch sets messages aside, which lets later messages of their key overtake them; drop one of them");
            }
            if (singleActiveConsumer && (store || live)) {
                throw new ConfigurationException("handler '" + handler + "' cannot have a single active consumer: " + (store
                        ? "the store queue is one queue the whole vhost shares, declared alike by every service"
                        : "a live queue is exclusive to its instance already"));
            }
        }
    }

    /** Which failures this handler retries (besides the bus's rules); {@link FailureClassification#retryingAll()} by default. */
    public FailureClassification failureClassification() {
        return classification;
    }

    /** This handler's kill switch, if it has one. */
    public Optional<KillSwitch> killSwitch() {
        return Optional.ofNullable(killSwitch);
    }

    /** Whether a {@link MessageFailed} event is published for each message this handler dead-letters. */
    public boolean publishesFailures() {
        return publishesFailures;
    }

    /**
     * A copy that receives the messages another service of the same organization publishes, instead of this
     * service's own. On RabbitMQ the handler queue keeps this service's name, retry and dead-letter queues, and
     * is bound to the publisher's exchange ({@code org.<service>}) with the publisher's routing key:
     *
     * <pre>{@code
     * // in service "distributor": handle the ObjectCreated events that service "datagen" publishes
     * Subscription.of(ObjectCreated.class, "create_tasks", handler).from("datagen");
     * }</pre>
     *
     * The in-memory bus has one shared space of messages, so there the source makes no difference.
     */
    public Subscription from(String service) {
        return from(null, service);
    }

    /** A copy that receives what a service of another organization publishes; see {@link #from(String)}. */
    public Subscription from(String organization, String service) {
        return new Subscription(handlerName, types, store, allMessages, handler, retryPolicy, new Source(organization, service),
                liveInstance, classification, killSwitch, publishesFailures, consuming, endpointQueue, streamOptions);
    }

    /** The service whose messages this subscription receives, if not the subscriber's own. */
    public Optional<Source> source() {
        return Optional.ofNullable(source);
    }

    /** The handler's snake_case name. */
    public String handlerName() {
        return handlerName;
    }

    /** The message types handled; empty for a store subscription. */
    public List<MessageType<?>> types() {
        return types;
    }

    /** Whether this handler reads the vhost's shared store queue, which sees every message. */
    public boolean isStore() {
        return store;
    }

    /** Whether this handler has a queue of its own that sees every message of its source ({@link #allMessages}). */
    public boolean isAllMessages() {
        return allMessages;
    }

    /** Whether this handler receives every message untyped: {@link #isStore()} or {@link #isAllMessages()}. */
    public boolean receivesAll() {
        return store || allMessages;
    }

    /** This handler's retry policy, if it has its own. */
    public Optional<RetryPolicy> retryPolicy() {
        return Optional.ofNullable(retryPolicy);
    }

    /** This handler's retry policy, or the given default. */
    public RetryPolicy retryPolicyOr(RetryPolicy defaultPolicy) {
        return retryPolicy == null ? defaultPolicy : retryPolicy;
    }

    /**
     * Calls the handler with the delivery as its argument and as {@link Delivery#current()} for the call, as buses do.
     * The message's payload must be of one of {@link #types()} (or a map, for store and all-messages handlers).
     *
     * @throws Exception whatever the handler throws
     */
    public void handle(Message<?> message, Delivery delivery) throws Exception {
        @SuppressWarnings("unchecked")
        Message<Object> untyped = (Message<Object>) message;
        delivery.during(() -> handler.handle(untyped, delivery));
    }

    @Override
    public String toString() {
        return "Subscription[" + handlerName + (store ? " (store)" : allMessages ? " (all messages)" : " " + types)
                + (source == null ? "" : " from " + (source.organization() == null ? "" : source.organization() + ".")
                + source.service()) + (endpointQueue ? " on one endpoint queue" : "")
                + (liveInstance == null ? "" : " live " + liveInstance) + (streamOptions == null ? ""
                : " stream from " + streamOptions.start().position()) + "]";
    }
}
