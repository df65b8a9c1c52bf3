package dev.eventbus.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventBus} in the JVM, without a broker: the embedded default for demos and unit tests. It
 * keeps the semantics of the RabbitMQ bus, so what works here works there:
 * <ul>
 *   <li>{@code publish} validates the attributes with the {@link MessageValidator} and encodes the message
 *       with the {@link MessageCodec}, so invalid messages and serialization problems fail here as they
 *       would on the broker;</li>
 *   <li>a message reaches every handler subscribed to its name, version and kind (each handler and type
 *       behaves as its own queue), and every store handler, which receives the attributes as a map; a
 *       message nobody subscribed to is dropped, like on a topic exchange with no binding;</li>
 *   <li>each delivery decodes the body again and validates it; a body that cannot be decoded or is
 *       invalid goes to the dead letters at once, as does a {@link NonRetryableException}; any other
 *       failure is retried after the handler's {@link RetryPolicy} delay, and after the last retry the
 *       message goes to the dead letters ({@link #deadLetters()}).</li>
 * </ul>
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
 * <p><b>Threads.</b> Handlers never run on the publisher's thread: {@code publish} only queues the
 * message, and handlers run on the bus's own pool of {@code handlerThreads} threads (named
 * {@code eventbus-inmemory-N-handler-M}, daemon threads). With more than one thread a handler may run
 * concurrently for different messages, and a retried message may overtake later ones. Retries wait on one
 * scheduler thread ({@code eventbus-inmemory-N-retry}), which only re-queues them. Messages published
 * before {@link #start()} wait and are delivered once it is called.
 *
 * <p><b>Thread-safety.</b> Every method may be called from any thread. One lock guards all mutable
 * state: the handlers and their held messages, the lifecycle state, the executors, the counts of queued,
 * running and retry-scheduled deliveries, and the dead letters. Encoding, decoding and handlers run
 * outside the lock.
 */
public final class InMemoryEventBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(InMemoryEventBus.class);
    private static final AtomicInteger BUS_NUMBERS = new AtomicInteger();

    private enum State { CREATED, STARTED, STOPPED }

    private final MessageCodec codec;
    private final MessageValidator validator;
    private final LocalAttempt attempt;
    private final Convention convention;
    private final RetryPolicy retryPolicy;
    private final int handlerThreads;
    private final Duration stopTimeout;
    private final String threadPrefix = "eventbus-inmemory-" + BUS_NUMBERS.incrementAndGet();
    private final ThreadLocal<Boolean> onHandlerThread = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when queued, running and scheduled all reach 0. */
    private final Condition idle = lock.newCondition();
    // Everything below is guarded by lock.
    private final Map<String, LocalConsumer> consumers = new LinkedHashMap<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private State state = State.CREATED;
    private ExecutorService handlerExecutor;
    private ScheduledExecutorService retryScheduler;
    /** Deliveries handed to the handler executor that have not started. */
    private int queued;
    /** Deliveries whose handler is running. */
    private int running;
    /** Deliveries waiting for their retry delay. */
    private int scheduled;

    /** A bus with every default of {@link Builder}, and no handlers yet. */
    public InMemoryEventBus() {
        this(new Builder());
    }

    private InMemoryEventBus(Builder builder) {
        this.codec = builder.codec != null ? builder.codec : new MessageCodec(new MessageRegistry());
        this.validator = builder.validator;
        this.attempt = new LocalAttempt(codec, validator);
        this.convention = builder.convention;
        this.retryPolicy = builder.retryPolicy;
        this.handlerThreads = builder.handlerThreads;
        this.stopTimeout = builder.stopTimeout;
        builder.subscriptions.forEach(this::subscribe);
    }

    /** A builder with every default; see its setters. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Validates, encodes and queues a message for every handler it is routed to, then returns; handlers run
     * later on the bus's threads. Does not block on handlers.
     *
     * @throws InvalidMessageException   if the validator rejects the attributes; nothing is delivered
     * @throws MessageEncodingException  if the payload cannot be written as JSON
     * @throws ConfigurationException    if the message name is not valid in a routing key
     * @throws EventBusStoppedException  if the bus was stopped
     */
    @Override
    public void publish(Message<?> message) {
        Objects.requireNonNull(message, "message");
        requireNotStopped("publish " + message.describe());
        String routingKey = convention.routingKey(message);
        ObjectNode attributes = codec.attributes(message);
        validator.validate(message.name(), message.version(), attributes);
        byte[] body = codec.encode(message);
        lock.lock();
        try {
            if (state == State.STOPPED) {
                throw stopped("publish " + message.describe());
            }
            int routed = 0;
            for (LocalConsumer consumer : consumers.values()) {
                for (LocalQueue queue : consumer.queues()) {
                    if (queue.accepts(routingKey, message.kind())) {
                        dispatch(new LocalDelivery(queue, body, routingKey, 0));
                        routed++;
                    }
                }
            }
            if (routed == 0) {
                log.debug("No handler subscribes to {}: {} dropped", routingKey, message.describe());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes a payload in a new {@link Message}, or a message or list as given. Same contract as
     * {@link #publish(Message)}.
     */
    @Override
    public void publish(Object payload) {
        if (payload instanceof List<?> list) {
            publish(list);
        } else {
            publish(EventBus.toMessage(payload));
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
            publish(EventBus.toMessage(item));
        }
    }

    /**
     * Publishes as {@link #publish(Message)} does (which never blocks on handlers) and returns a future that
     * is already complete, or already failed with the exception {@code publish} would have thrown.
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
     * Adds a handler and registers its message types with the codec. Before {@link #start()} it starts with
     * the others; after, it receives messages published from now on at once.
     *
     * @throws ConfigurationException   if a handler of the same name is subscribed, a queue name would be too
     *                                  long, or a type clashes with a registered one
     * @throws EventBusStoppedException if the bus was stopped
     */
    @Override
    public void subscribe(Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        String name = subscription.handlerName();
        List<LocalQueue> queues = subscription.receivesAll() ? List.of(LocalQueue.everything(subscription, convention))
                : subscription.types().stream().map(type -> LocalQueue.of(subscription, type, convention)).toList();
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
            consumers.put(name, new LocalConsumer(subscription, queues));
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
            handlerExecutor = Executors.newFixedThreadPool(handlerThreads, threads("handler"));
            retryScheduler = Executors.newSingleThreadScheduledExecutor(threads("retry"));
            state = State.STARTED;
            for (LocalConsumer consumer : consumers.values()) {
                if (!consumer.isPaused()) {
                    consumer.releaseHeld().forEach(this::dispatch);
                }
            }
            log.info("In-memory event bus {} started: {} handler(s) on {} thread(s)", threadPrefix, consumers.size(),
                    handlerThreads);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pauses one handler: its messages, new ones and retries, wait until {@link #resume(String)}. A delivery
     * already running finishes. Pausing a paused handler does nothing.
     *
     * @throws ConfigurationException if no handler of that name is subscribed
     */
    @Override
    public void unsubscribe(String handlerName) {
        lock.lock();
        try {
            consumer(handlerName).pause();
            log.info("Handler {} unsubscribed: its messages wait until resume", handlerName);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Delivers to a handler paused by {@link #unsubscribe(String)} again, starting with the messages that
     * waited. Resuming a handler that is not paused does nothing.
     *
     * @throws ConfigurationException if no handler of that name is subscribed
     */
    @Override
    public void resume(String handlerName) {
        lock.lock();
        try {
            LocalConsumer consumer = consumer(handlerName);
            consumer.unpause();
            int held = consumer.heldCount();
            if (state == State.STARTED) {
                consumer.releaseHeld().forEach(this::dispatch);
            }
            log.info("Handler {} resumed with {} waiting message(s)", handlerName, held);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the bus: it accepts no more messages, drops those not yet handled (queued, waiting for
     * start or a paused handler, or scheduled for retry) with a WARN log saying how many, and waits up to
     * the stop timeout for running handlers to finish, then interrupts any still running. Idempotent:
     * returns at once if the bus is stopped or stopping. Called from a handler, it does not wait for that
     * handler's own thread.
     */
    @Override
    public void stop() {
        ExecutorService handlers;
        ScheduledExecutorService retries;
        int dropped;
        lock.lock();
        try {
            if (state == State.STOPPED) {
                return;
            }
            state = State.STOPPED;
            dropped = queued + scheduled;
            for (LocalConsumer consumer : consumers.values()) {
                dropped += consumer.releaseHeld().size();
            }
            queued = 0;
            scheduled = 0;
            handlers = handlerExecutor;
            retries = retryScheduler;
            signalIfIdle();
        } finally {
            lock.unlock();
        }
        if (dropped > 0) {
            log.warn("In-memory event bus {} stopped with {} message(s) not yet handled (queued, waiting or scheduled "
                    + "for retry): they are dropped", threadPrefix, dropped);
        }
        if (retries != null) {
            retries.shutdownNow();
        }
        if (handlers != null) {
            handlers.shutdown();
            awaitRunningHandlers(handlers);
        }
        log.info("In-memory event bus {} stopped", threadPrefix);
    }

    /**
     * Waits until no delivery is queued for, running on or scheduled for retry to a handler. Messages held
     * for {@link #start()} or for a paused handler do not count: they cannot move until you call it.
     * Returns at once with {@code true} on a stopped bus whose handlers finished.
     *
     * @param timeout how long to wait at most
     * @return {@code true} if the bus became idle, {@code false} on timeout or if the thread was interrupted
     *         (its interrupt status is then set again)
     */
    public boolean awaitIdle(Duration timeout) {
        long nanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        lock.lock();
        try {
            while (!isIdle()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of every dead letter so far, oldest first. */
    public List<DeadLetter> deadLetters() {
        lock.lock();
        try {
            return List.copyOf(deadLetters);
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the dead letters of one handler, oldest first (empty for an unknown handler). */
    public List<DeadLetter> deadLetters(String handlerName) {
        return deadLetters().stream().filter(letter -> letter.handler().equals(handlerName)).toList();
    }

    /** The convention that names the queues in {@link DeadLetter#queue()}. */
    public Convention convention() {
        return convention;
    }

    // ---- delivery: dispatch and the *Locked methods need the lock held; run, finish and retryDue take it ----

    /** Hands a delivery to the handler threads, or holds it while the bus is not started or the handler paused. */
    private void dispatch(LocalDelivery delivery) {
        LocalConsumer consumer = consumers.get(delivery.queue().handlerName());
        if (state != State.STARTED || consumer.isPaused()) {
            consumer.hold(delivery);
            return;
        }
        queued++;
        handlerExecutor.execute(() -> run(delivery));
    }

    /** Runs on a handler thread. */
    private void run(LocalDelivery delivery) {
        lock.lock();
        try {
            if (state == State.STOPPED) {
                return; // counted as dropped by stop()
            }
            queued--;
            LocalConsumer consumer = consumers.get(delivery.queue().handlerName());
            if (consumer.isPaused()) {
                consumer.hold(delivery);
                signalIfIdle();
                return;
            }
            running++;
        } finally {
            lock.unlock();
        }
        LocalAttempt.Outcome outcome = null;
        onHandlerThread.set(Boolean.TRUE);
        try {
            outcome = attempt.run(delivery);
        } finally {
            onHandlerThread.remove();
            finish(delivery, outcome);
        }
    }

    /** Records what a delivery came to: done, retry scheduled or dead letter. {@code null}: the JVM failed. */
    private void finish(LocalDelivery delivery, LocalAttempt.Outcome outcome) {
        LocalQueue queue = delivery.queue();
        lock.lock();
        try {
            running--;
            if (outcome == null) {
                log.error("Handler {} hit a JVM error on a message from {}: the message is dropped",
                        queue.handlerName(), delivery.routingKey());
            } else if (outcome.failure() != null) {
                RetryPolicy policy = queue.subscription().retryPolicyOr(retryPolicy);
                Throwable failure = outcome.failure();
                DeadLetterReason reason = DeadLetterReason.forFailure(failure, outcome.attempts() <= policy.maxRetries());
                if (reason == null) {
                    retryLocked(delivery.retry(outcome.attempts()), policy, failure);
                } else {
                    deadLetterLocked(delivery, outcome.attempts(), reason, failure);
                }
            }
            signalIfIdle();
        } finally {
            lock.unlock();
        }
    }

    private void retryLocked(LocalDelivery next, RetryPolicy policy, Throwable failure) {
        String handler = next.queue().handlerName();
        if (state == State.STOPPED) {
            log.warn("Handler {} failed on a message from {} ({}) while the bus stopped: the retry is dropped",
                    handler, next.routingKey(), failure.toString());
            return;
        }
        log.warn("Handler {} failed on a message from {} (attempt {} of {}): {}; retrying in {} ms", handler,
                next.routingKey(), next.attempts(), policy.maxRetries() + 1, failure.toString(), policy.delayMillis());
        scheduled++;
        retryScheduler.schedule(() -> retryDue(next), policy.delayMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs on the retry thread when a retry's delay is over. */
    private void retryDue(LocalDelivery delivery) {
        lock.lock();
        try {
            if (state == State.STOPPED) {
                return; // counted as dropped by stop()
            }
            scheduled--;
            dispatch(delivery);
            signalIfIdle();
        } finally {
            lock.unlock();
        }
    }

    private void deadLetterLocked(LocalDelivery delivery, int attempts, DeadLetterReason reason, Throwable failure) {
        LocalQueue queue = delivery.queue();
        deadLetters.add(new DeadLetter(delivery.body(), queue.handlerName(), queue.name(), delivery.routingKey(),
                reason, attempts, failure.getClass().getName(), failure.getMessage(), Instant.now()));
        log.warn("Handler {} dead-lettered a message from {} ({}, after {} attempt(s)): {}", queue.handlerName(),
                delivery.routingKey(), reason.wireValue(), attempts, failure.toString());
    }

    private boolean isIdle() {
        return queued == 0 && running == 0 && scheduled == 0;
    }

    private void signalIfIdle() {
        if (isIdle()) {
            idle.signalAll();
        }
    }

    private LocalConsumer consumer(String handlerName) {
        LocalConsumer consumer = consumers.get(handlerName);
        if (consumer == null) {
            throw new ConfigurationException("no handler named '" + handlerName + "' is subscribed to this bus (handlers: "
                    + consumers.keySet() + "): check the name, e.g. send_mail_handler");
        }
        return consumer;
    }

    private void requireNotStopped(String action) {
        lock.lock();
        try {
            if (state == State.STOPPED) {
                throw stopped(action);
            }
        } finally {
            lock.unlock();
        }
    }

    private EventBusStoppedException stopped(String action) {
        return new EventBusStoppedException("cannot " + action + ": in-memory event bus " + threadPrefix
                + " is stopped; a stopped bus stays stopped, build a new one");
    }

    private void awaitRunningHandlers(ExecutorService handlers) {
        if (onHandlerThread.get()) {
            log.debug("stop() called from a handler: not waiting for that handler's own thread");
            return;
        }
        try {
            if (!handlers.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Handlers of in-memory event bus {} still run after the stop timeout of {}: interrupting them",
                        threadPrefix, stopTimeout);
                handlers.shutdownNow();
            }
        } catch (InterruptedException e) {
            handlers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private ThreadFactory threads(String role) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, threadPrefix + "-" + role + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Settings of an {@link InMemoryEventBus}; every setter states its default. Not thread-safe: build on one
     * thread, then share the bus.
     */
    public static final class Builder {

        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private int handlerThreads = 1;
        private MessageValidator validator = MessageValidator.NONE;
        private MessageCodec codec;
        private Convention convention = Convention.of("local", "inmemory");
        private Duration stopTimeout = Duration.ofSeconds(30);
        private final List<Subscription> subscriptions = new ArrayList<>();

        private Builder() {
        }

        /**
         * The retry policy of handlers that have none of their own ({@link Subscription#withRetry(RetryPolicy)}).
         * Default is {@link RetryPolicy#DEFAULT}: 5 retries, 5 seconds apart.
         */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /**
         * How many threads run handlers. Default is 1: one message at a time, in publish order except for retries.
         *
         * @throws ConfigurationException if under 1
         */
        public Builder handlerThreads(int handlerThreads) {
            if (handlerThreads < 1) {
                throw new ConfigurationException("handlerThreads " + handlerThreads + " is under 1: handlers need a thread to run on");
            }
            this.handlerThreads = handlerThreads;
            return this;
        }

        /** Checks attributes on publish and on every delivery. Default is {@link MessageValidator#NONE}. */
        public Builder validator(MessageValidator validator) {
            this.validator = Objects.requireNonNull(validator, "validator");
            return this;
        }

        /**
         * The codec that encodes on publish and decodes on delivery; handlers' types are registered in its
         * registry. Default is a {@link MessageCodec} with {@link MessageCodec#defaultMapper()} and a new registry.
         */
        public Builder codec(MessageCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * The convention that names each handler's queue as it would be on a broker (see
         * {@link DeadLetter#queue()}) and writes routing keys. Default is {@code Convention.of("local", "inmemory")}.
         */
        public Builder convention(Convention convention) {
            this.convention = Objects.requireNonNull(convention, "convention");
            return this;
        }

        /**
         * How long {@link InMemoryEventBus#stop()} waits for running handlers before interrupting them.
         * Default is 30 seconds.
         *
         * @throws ConfigurationException if negative
         */
        public Builder stopTimeout(Duration stopTimeout) {
            Objects.requireNonNull(stopTimeout, "stopTimeout");
            if (stopTimeout.isNegative()) {
                throw new ConfigurationException("stopTimeout " + stopTimeout + " is negative: use 0 to not wait for handlers");
            }
            this.stopTimeout = stopTimeout;
            return this;
        }

        /** Adds handlers, in order. Default is none; more can be added later with {@link InMemoryEventBus#subscribe}. */
        public Builder subscribe(Subscription... subscriptions) {
            Arrays.stream(subscriptions).map(s -> Objects.requireNonNull(s, "subscription")).forEach(this.subscriptions::add);
            return this;
        }

        /**
         * Builds the bus, not yet started.
         *
         * @throws ConfigurationException if two handlers share a name or their types clash
         */
        public InMemoryEventBus build() {
            return new InMemoryEventBus(this);
        }
    }
}
