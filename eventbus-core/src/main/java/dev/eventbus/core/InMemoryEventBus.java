package dev.eventbus.core;

import dev.eventbus.core.pipeline.DeliveryPipeline;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.core.pipeline.EncodedPublisher;
import dev.eventbus.core.pipeline.PublishPipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventBus} in the JVM, without a broker: the embedded default for demos and unit tests. It runs the same
 * {@link PublishPipeline} and {@link DeliveryPipeline} as the RabbitMQ bus, routes by the same {@link Endpoint}s, and
 * passes the same contract suite (the testkit's {@code EventBusContract}), so what works here works there:
 * <ul>
 *   <li>{@code publish} checks, validates and encodes the message, so invalid messages and serialization problems fail
 *       here as they would on the broker;</li>
 *   <li>a message reaches every queue whose bindings match, on this bus and on every bus sharing its
 *       {@link InMemoryBroker}; a message nobody subscribed to is dropped, like on a topic exchange with no binding;</li>
 *   <li>each delivery decodes the body again; its {@link dev.eventbus.core.pipeline.Outcome} is carried out: retried after the handler's
 *       {@link RetryPolicy} delay, or kept as a dead letter ({@link #admin()}, {@link #deadLetters()}).</li>
 * </ul>
 * What differs from RabbitMQ: nothing survives {@link #stop()} (messages not yet handled are dropped, with a WARN);
 * there is no connection to lose.
 *
 * <pre>{@code
 * InMemoryEventBus bus = InMemoryEventBus.builder()
 *         .retryPolicy(RetryPolicy.of(3, Duration.ofMillis(10)))
 *         .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", message -> mailer.send(message.payload())))
 *         .build();
 * bus.start();
 * bus.publish(new UserCreated("u-1", "Alice"));
 * bus.awaitIdle(Duration.ofSeconds(5));
 * bus.stop();
 * }</pre>
 *
 * <p><b>Threads.</b> Handlers never run on the publisher's thread: {@code publish} only queues the message, and handlers
 * run on the bus's own pool of {@code handlerThreads} threads (named {@code eventbus-inmemory-N-handler-M}, daemon
 * threads). With more than one thread a handler may run concurrently for different messages, and a retried message may
 * overtake later ones. Retries wait on one scheduler thread ({@code eventbus-inmemory-N-retry}), which only re-queues
 * them. Messages published before {@link #start()} wait and are delivered once it is called.
 *
 * <p><b>Thread-safety.</b> Every method may be called from any thread. One lock guards all mutable state: the handlers
 * and their held messages and dead letters, the lifecycle state, the executors, the counts of queued, running and
 * retry-scheduled deliveries. Encoding, decoding and handlers run outside the lock; a publish takes the lock of each bus
 * it delivers to, one at a time, never its own while holding another's.
 */
public final class InMemoryEventBus implements EventBus, EncodedPublisher {

    private static final Logger log = LoggerFactory.getLogger(InMemoryEventBus.class);
    private static final AtomicInteger BUS_NUMBERS = new AtomicInteger();

    private enum State { CREATED, STARTED, STOPPED }

    private final MessageCodec codec;
    private final Convention convention;
    private final RetryPolicy retryPolicy;
    private final int handlerThreads;
    private final Duration stopTimeout;
    private final InMemoryBroker broker;
    private final PublishPipeline publishing;
    private final EventBusObserver observer;
    private final LocalDispatcher dispatcher;
    private final InMemoryAdmin admin;
    private final String threadPrefix = "eventbus-inmemory-" + BUS_NUMBERS.incrementAndGet();
    private final List<LocalQueue> queues = new CopyOnWriteArrayList<>();
    private final LocalStreams streams;

    /** Guards everything below, and the dispatcher's and the queues' state. */
    final ReentrantLock lock;
    private final Map<String, LocalConsumer> consumers = new LinkedHashMap<>();
    private State state = State.CREATED;

    /** A bus with every default of {@link InMemoryEventBusBuilder}, and no handlers yet. */
    public InMemoryEventBus() {
        this(new InMemoryEventBusBuilder());
    }

    InMemoryEventBus(InMemoryEventBusBuilder builder) {
        this.codec = builder.codec != null ? builder.codec : new MessageCodec(new MessageRegistry());
        this.convention = builder.convention;
        this.retryPolicy = builder.retryPolicy;
        this.handlerThreads = builder.handlerThreads;
        this.stopTimeout = builder.stopTimeout;
        this.broker = builder.broker != null ? builder.broker : new InMemoryBroker();
        EventBusObserver observer = EventBusObserver.composite(builder.observers);
        this.observer = observer;
        this.publishing = new PublishPipeline(convention, codec, builder.validator, observer);
        this.dispatcher = new LocalDispatcher(new DeliveryPipeline(codec, builder.validator, this::isStopped, observer,
                builder.failureClassification), threadPrefix, stopTimeout,
                queue -> state == State.STARTED && !consumers.get(queue.handlerName()).isPaused(), this::suspendLocked);
        this.lock = dispatcher.lock;
        this.streams = new LocalStreams(convention, broker, codec, new DeliveryPipeline(codec, builder.validator, this::isStopped,
                observer), stopTimeout, threadPrefix);
        this.admin = new InMemoryAdmin(this, broker);
        builder.subscriptions.forEach(this::subscribe);
        broker.attach(this);
    }

    /** A builder with every default; see its setters. */
    public static InMemoryEventBusBuilder builder() {
        return new InMemoryEventBusBuilder();
    }

    /**
     * Checks, validates, encodes and queues a message for every queue it is routed to, then returns; handlers run later
     * on the buses' threads. Does not block on handlers.
     *
     * @throws InvalidMessageException   if the validator rejects the attributes; nothing is delivered
     * @throws MessageEncodingException  if the payload is not an event or command, or cannot be written as JSON
     * @throws ConfigurationException    if the message name is not valid in a routing key
     * @throws EventBusStoppedException  if the bus was stopped
     */
    @Override
    public void publish(Message<?> message) {
        Objects.requireNonNull(message, "message");
        requireNotStopped("publish " + message.describe());
        EncodedMessage encoded = EncodedMessage.of(publishing.prepare(message));
        route(encoded);
        publishing.sent(encoded).settled(null);
    }

    /** The pipeline this bus checks, validates and encodes with. */
    @Override
    public PublishPipeline publishing() {
        return publishing;
    }

    /** Routes an encoded message as {@link #publish(Message)} does; the future is already complete (or failed). */
    @Override
    public CompletableFuture<Void> publishEncoded(EncodedMessage message) {
        try {
            requireNotStopped("publish " + message.describe());
            route(message);
            publishing.sent(message).settled(null);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void route(EncodedMessage message) {
        if (broker.deliver(message) == 0) {
            log.debug("No queue is bound to {}: {} dropped", message.routingKey(), message.describe());
        }
    }

    /**
     * Publishes each payload or message in order, as {@link #publish(Message)} does.
     *
     * @throws EventBusException at the first that fails; the ones before it were published
     */
    @Override
    public void publish(List<?> payloadsOrMessages) {
        Objects.requireNonNull(payloadsOrMessages, "payloadsOrMessages");
        for (Object item : payloadsOrMessages) {
            publish(EventPublisher.toMessage(item));
        }
    }

    /**
     * Publishes as {@link #publish(Message)} does (which never blocks on handlers) and returns a future that is already
     * complete, or already failed with the exception {@code publish} would have thrown.
     */
    @Override
    public CompletableFuture<Void> publishAsync(Message<?> message) {
        try {
            publish(message);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Adds a handler and registers its message types with the codec. Before {@link #start()} it starts with the others;
     * after, it receives messages published from now on at once.
     *
     * @throws ConfigurationException   if a handler of the same name is subscribed, a queue name would be too long, or a
     *                                  type clashes with a registered one
     * @throws EventBusStoppedException if the bus was stopped
     */
    @Override
    public void subscribe(Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        String name = subscription.handlerName();
        if (subscription.isStream() || streams.has(name)) {
            subscribeStream(subscription);
            return;
        }
        // a live subscription retries only with a policy of its own (Subscription#live)
        RetryPolicy policy = subscription.isLive() && !subscription.isLiveWithRetries() ? RetryPolicy.none()
                : subscription.retryPolicyOr(retryPolicy);
        List<LocalQueue> added = convention.endpoints(subscription).stream()
                .map(endpoint -> new LocalQueue(this, endpoint, policy)).toList();
        lock.lock();
        try {
            if (state == State.STOPPED) {
                throw stopped("subscribe handler '" + name + "'");
            }
            LocalConsumer existing = consumers.get(name);
            if (existing != null) {
                throw new ConfigurationException("handler '" + name + "' is already subscribed (" + existing.subscription()
                        + "): give each handler its own name, or subscribe one handler to several types");
            }
            codec.registry().registerAll(List.of(subscription));
            consumers.put(name, new LocalConsumer(subscription, added));
            queues.addAll(added);
        } finally {
            lock.unlock();
        }
    }

    /** A stream subscription: its stream declared on the broker, read by its own thread once the bus runs. */
    private void subscribeStream(Subscription subscription) {
        String name = subscription.handlerName();
        lock.lock();
        try {
            if (state == State.STOPPED) {
                throw stopped("subscribe handler '" + name + "'");
            }
            if (consumers.containsKey(name) || streams.has(name)) {
                throw new ConfigurationException("handler '" + name + "' is already subscribed: give each handler its own name");
            }
            codec.registry().registerAll(List.of(subscription));
            streams.add(subscription);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts the handler threads and delivers the messages published so far. Calling it again does nothing.
     *
     * @throws EventBusStoppedException if the bus was stopped
     */
    @Override
    public void start() {
        lock.lock();
        try {
            if (state == State.STOPPED) {
                throw stopped("start");
            }
            if (state == State.STARTED) {
                return;
            }
            dispatcher.startLocked(handlerThreads);
            state = State.STARTED;
            streams.start();
            for (LocalConsumer consumer : consumers.values()) {
                if (!consumer.isPaused()) {
                    consumer.queues().forEach(queue -> queue.releaseHeld().forEach(dispatcher::dispatchLocked));
                }
            }
            log.info("In-memory event bus {} started: {} handler(s) on {} thread(s)", threadPrefix, consumers.size(),
                    handlerThreads);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pauses one handler: its messages, new ones and retries, wait until {@link #resume(String)}. A delivery already
     * running finishes. Pausing a paused handler does nothing.
     *
     * @throws ConfigurationException if no handler of that name is subscribed
     */
    @Override
    public void pause(String handlerName) {
        if (streams.has(handlerName)) {
            streams.pause(handlerName);
            return;
        }
        lock.lock();
        try {
            LocalConsumer consumer = consumer(handlerName);
            boolean wasPaused = consumer.isPaused();
            consumer.pause();
            if (!wasPaused) {
                consumerChanged(consumer, HandlerStatus.State.PAUSED);
            }
            log.info("Handler {} paused: its messages wait until resume", handlerName);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Delivers to a handler paused by {@link #pause(String)} again, starting with the messages that waited. Resuming a
     * handler that is not paused does nothing.
     *
     * @throws ConfigurationException if no handler of that name is subscribed
     */
    @Override
    public void resume(String handlerName) {
        if (streams.has(handlerName)) {
            streams.resume(handlerName);
            return;
        }
        lock.lock();
        try {
            LocalConsumer consumer = consumer(handlerName);
            boolean wasPaused = consumer.isPaused();
            consumer.unpause();
            if (wasPaused) {
                consumerChanged(consumer, state == State.STARTED ? HandlerStatus.State.CONSUMING : HandlerStatus.State.IDLE);
            }
            int held = 0;
            for (LocalQueue queue : consumer.queues()) {
                held += queue.heldCount();
                if (state == State.STARTED) {
                    queue.releaseHeld().forEach(dispatcher::dispatchLocked);
                }
            }
            log.info("Handler {} resumed with {} waiting message(s)", handlerName, held);
        } finally {
            lock.unlock();
        }
    }

    /** Tells the observers a handler's queues changed state (pause and resume). Caller holds the lock. */
    private void consumerChanged(LocalConsumer consumer, HandlerStatus.State newState) {
        for (LocalQueue queue : consumer.queues()) {
            observer.consumerChanged(queue.handlerName(), queue.name(), newState, null);
        }
    }

    /** Each handler queue's state; an in-memory bus has no connection. */
    @Override
    public BusHealth health() {
        lock.lock();
        try {
            List<HandlerStatus> statuses = new ArrayList<>();
            consumers.values().forEach(consumer -> statuses.addAll(consumer.statuses(state == State.CREATED
                    ? HandlerStatus.State.IDLE : state == State.STOPPED ? HandlerStatus.State.STOPPED : null)));
            statuses.addAll(streams.statuses());
            return new BusHealth(List.of(), statuses);
        } finally {
            lock.unlock();
        }
    }

    /** The administration view: dead letters, delivering to one queue, clearing. {@code configure()} declares nothing. */
    @Override
    public EventBusAdmin admin() {
        return admin;
    }

    /**
     * Stops the bus: it accepts no more messages, drops those not yet handled (queued, waiting for start or a paused
     * handler, or scheduled for retry) with a WARN log saying how many, and waits up to the stop timeout for running
     * handlers to finish, then interrupts any still running (their messages are dropped, never dead-lettered).
     * Idempotent: returns at once if the bus is stopped or stopping. Called from a handler, it does not wait for that
     * handler's own thread.
     */
    @Override
    public void stop() {
        int dropped;
        streams.stop(); // outside the lock: a stream handler may be publishing
        lock.lock();
        try {
            if (state == State.STOPPED) {
                return;
            }
            state = State.STOPPED;
            dropped = dispatcher.stopLocked();
            for (LocalQueue queue : queues) {
                dropped += queue.releaseHeld().size();
            }
        } finally {
            lock.unlock();
        }
        broker.detach(this);
        if (dropped > 0) {
            log.warn("In-memory event bus {} stopped with {} message(s) not yet handled (queued, waiting or scheduled "
                    + "for retry): they are dropped", threadPrefix, dropped);
        }
        dispatcher.shutdown();
        log.info("In-memory event bus {} stopped", threadPrefix);
    }

    /**
     * Waits until no delivery is queued for, running on or scheduled for retry to a handler. Messages held for
     * {@link #start()} or for a paused handler do not count: they cannot move until you call it; nor do those held for a
     * handler its kill switch suspended, until its cool-down ends. Returns at once with {@code true} on a stopped bus
     * whose handlers finished.
     *
     * @param timeout how long to wait at most
     * @return {@code true} if the bus became idle, {@code false} on timeout or if the thread was interrupted (its
     *         interrupt status is then set again)
     */
    public boolean awaitIdle(Duration timeout) {
        return dispatcher.awaitIdle(timeout);
    }

    /** A snapshot of every dead letter of this bus's handlers, oldest first in each queue (as {@link #admin()} has them). */
    public List<DeadLetter> deadLetters() {
        lock.lock();
        try {
            return java.util.stream.Stream.concat(queues.stream().flatMap(queue -> queue.deadLetters().stream()),
                            streams.deadLetters().stream())
                    .sorted(java.util.Comparator.comparing(DeadLetter::deadLetteredAt, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))).toList();
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the dead letters of one handler, oldest first (empty for an unknown handler). */
    public List<DeadLetter> deadLetters(String handlerName) {
        return deadLetters().stream().filter(letter -> letter.handler().equals(handlerName)).toList();
    }

    /** The convention that names this bus's exchange, routing keys and queues. */
    public Convention convention() {
        return convention;
    }

    /** The broker this bus shares with others (its own if none was given). */
    public InMemoryBroker broker() {
        return broker;
    }

    // ---- for the broker, the admin and the dispatcher ----

    List<LocalQueue> queues() {
        return queues;
    }

    /** Publishes the failure event of a dead-lettered message; logs (and drops it) if that fails. */
    void publishFailure(MessageFailed event) {
        try {
            publish(Message.of(event));
        } catch (RuntimeException e) {
            log.warn("could not publish the failure event of message {} of handler {}: {}", event.messageId(), event.handler(),
                    e.toString());
        }
    }

    /** The dead letters of a stream handler, by its handler queue name ({@code <stream>.<handler>}); empty if none is. */
    java.util.Optional<List<DeadLetter>> streamDeadLetters(String handlerQueue) {
        return streams.deadLetters(handlerQueue);
    }

    /**
     * Takes a delivery routed to one of this bus's queues: handled, held, or dropped if the bus is stopped.
     *
     * @return false if it was dropped
     */
    boolean enqueue(LocalDelivery delivery) {
        lock.lock();
        try {
            if (state == State.STOPPED) {
                log.debug("In-memory event bus {} is stopped: a message for {} is dropped", threadPrefix, delivery.queue().name());
                return false;
            }
            dispatcher.dispatchLocked(delivery);
            dispatcher.signalIfIdle();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A handler's kill switch tripped: its deliveries wait until {@code resumeAt} (held like a paused handler's, but apart
     * from pause and resume). Returns the task that half-opens it and delivers again, for the dispatcher's scheduler,
     * or null if it is suspended already. Caller holds the lock.
     */
    Runnable suspendLocked(String handlerName, String why) {
        LocalConsumer consumer = consumer(handlerName);
        if (consumer.isSuspended()) {
            return null;
        }
        consumer.suspend(why);
        log.warn("Handler {} suspended: {}", handlerName, why);
        return () -> {
            lock.lock();
            try {
                dispatcher.pipeline().circuit(handlerName).ifPresent(dev.eventbus.core.pipeline.HandlerCircuit::halfOpen);
                consumer.unsuspend();
                log.info("Handler {} consumes again after its kill switch's cool-down (half-open)", handlerName);
                if (state == State.STARTED && !consumer.isPaused()) {
                    consumer.queues().forEach(queue -> queue.releaseHeld().forEach(dispatcher::dispatchLocked));
                }
                dispatcher.signalIfIdle();
            } finally {
                lock.unlock();
            }
        };
    }

    /** Whether any handler of this bus is consuming (started and not paused). Caller holds the lock. */
    boolean consumingLocked(String handlerName) {
        if (state != State.STARTED) {
            return false;
        }
        return consumers.values().stream().anyMatch(consumer -> !consumer.isPausedByCall()
                && (handlerName == null || consumer.subscription().handlerName().equals(handlerName)));
    }

    LocalConsumer consumer(String handlerName) {
        LocalConsumer consumer = consumers.get(handlerName);
        if (consumer == null) {
            throw new ConfigurationException("no handler named '" + handlerName + "' is subscribed to this bus (handlers: "
                    + consumers.keySet() + "): check the name, e.g. send_mail_handler");
        }
        return consumer;
    }

    private boolean isStopped() {
        lock.lock();
        try {
            return state == State.STOPPED;
        } finally {
            lock.unlock();
        }
    }

    private void requireNotStopped(String action) {
        if (isStopped()) {
            throw stopped(action);
        }
    }

    private EventBusStoppedException stopped(String action) {
        return new EventBusStoppedException("cannot " + action + ": in-memory event bus " + threadPrefix
                + " is stopped; a stopped bus stays stopped, build a new one");
    }
}
