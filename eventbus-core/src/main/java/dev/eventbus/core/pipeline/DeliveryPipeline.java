package dev.eventbus.core.pipeline;

import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Delivery;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.Envelope;
import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.FailureClassification;
import dev.eventbus.core.KillSwitch;
import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageDecodingException;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.RetryPolicy;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The one delivery pipeline of every bus: decode, validate, run the handler, and classify the result into an
 * {@link Outcome}. Transport-neutral: the bus reads the body and its retry counter, calls {@link #process}, and carries
 * the outcome out (acknowledge, republish to the retry route, dead-letter, or put back).
 *
 * <p>The rules, the same on every bus:
 * <ul>
 *   <li>a body that cannot be decoded, or names a type the endpoint does not handle, is dead-lettered at once
 *       ({@link DeadLetterReason#UNDECODABLE}, {@link DeadLetterReason#UNKNOWN_TYPE}); a typed message that breaks its
 *       contract (the validator's {@link InvalidMessageException}) too ({@link DeadLetterReason#INVALID}). These are final:
 *       they would fail the same way every time, so they count no attempt;</li>
 *   <li>store and all-messages handlers receive every message untyped and unvalidated (they keep what was published);</li>
 *   <li>the handler's {@link dev.eventbus.core.NonRetryableException} dead-letters at once
 *       ({@link DeadLetterReason#NON_RETRYABLE});</li>
 *   <li>a failure the bus's or the subscription's {@link FailureClassification} does not retry dead-letters at once
 *       ({@link DeadLetterReason#NON_RETRYABLE});</li>
 *   <li>any other failure, including a validator that fails unexpectedly, is attempt {@code retries + 1}: retried while
 *       {@code attempt <= maxRetries}, then dead-lettered ({@link DeadLetterReason#MAX_RETRIES_EXCEEDED}). With
 *       {@link RetryPolicy#immediateRetries() immediate retries} the handler first runs again on the same thread (each
 *       run an attempt); the broker-delayed retry then waits the policy's step for the delayed retries done so far;</li>
 *   <li>with a {@link dev.eventbus.core.KillSwitch}, a retryable failure that trips the handler's circuit, or happens while
 *       it is tripped, sets the message aside ({@link Outcome.Requeue.Cause#KILL_SWITCH}): the bus stops consuming the
 *       handler's queues for the cool-down, and no attempt is counted;</li>
 *   <li>a handler interrupted while the bus stops is put back ({@link Outcome.Requeue}), never retried or dead-lettered
 *       for the interruption.</li>
 * </ul>
 *
 * <p>Thread-safe: handler threads call it concurrently. Its only state is the handlers' kill-switch circuits, each
 * guarded by itself.
 */
public final class DeliveryPipeline {

    private final MessageCodec codec;
    private final MessageValidator validator;
    private final BooleanSupplier stopping;
    private final EventBusObserver observer;
    private final FailureClassification busRules;
    private final ConcurrentMap<String, HandlerCircuit> circuits = new ConcurrentHashMap<>();

    /**
     * @param codec     decodes bodies (its registry knows the handled types)
     * @param validator checks typed messages after decoding
     * @param stopping  whether the bus is stopping (and may interrupt handlers)
     */
    public DeliveryPipeline(MessageCodec codec, MessageValidator validator, BooleanSupplier stopping) {
        this(codec, validator, stopping, EventBusObserver.NONE);
    }

    /** A pipeline that reports every delivery to the observer. */
    public DeliveryPipeline(MessageCodec codec, MessageValidator validator, BooleanSupplier stopping,
                            EventBusObserver observer) {
        this(codec, validator, stopping, observer, FailureClassification.retryingAll());
    }

    /**
     * A pipeline that reports every delivery to the observer and retries only the failures {@code busRules} (and each
     * subscription's own rules) retry.
     */
    public DeliveryPipeline(MessageCodec codec, MessageValidator validator, BooleanSupplier stopping,
                            EventBusObserver observer, FailureClassification busRules) {
        this.busRules = Objects.requireNonNull(busRules, "busRules");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.stopping = Objects.requireNonNull(stopping, "stopping");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /**
     * Runs one delivery through the pipeline on the calling thread (the handler runs here).
     *
     * @param endpoint where it was delivered
     * @param policy   the endpoint's retry policy
     * @param incoming what arrived
     * @return what to do with it; never null
     */
    public Outcome process(Endpoint endpoint, RetryPolicy policy, IncomingDelivery incoming) {
        observer.received(endpoint, incoming);
        int attempt = incoming.retries() + 1;
        Message<?> message;
        try {
            message = decode(endpoint, incoming.body());
        } catch (MessageDecodingException | InvalidMessageException final_) {
            return reported(endpoint, new Outcome.DeadLettered(DeadLetterReason.forFailure(final_, false), incoming.retries(),
                    final_, null), 0);
        } catch (RuntimeException unexpected) {
            // a validator that fails unexpectedly (e.g. a schema store down) is a transient failure: retried
            return reported(endpoint, failed(endpoint, unexpected, attempt, policy, incoming, null), 0);
        }
        long start = System.nanoTime();
        Outcome outcome = attempts(endpoint, policy, message, incoming, attempt, start);
        return reported(endpoint, outcome, System.nanoTime() - start);
    }

    /** The codec it decodes with, e.g. to read an {@link dev.eventbus.core.OrderingKey} from a body. */
    public MessageCodec codec() {
        return codec;
    }

    /**
     * The kill-switch circuit of a handler that has one ({@link dev.eventbus.core.Subscription#withKillSwitch}), once it
     * received a delivery. The bus half-opens it after the cool-down.
     */
    public Optional<HandlerCircuit> circuit(String handlerName) {
        return Optional.ofNullable(circuits.get(handlerName));
    }

    private @org.jspecify.annotations.Nullable HandlerCircuit circuitOf(Endpoint endpoint) {
        Optional<KillSwitch> killSwitch = endpoint.subscription().killSwitch();
        if (killSwitch.isEmpty()) {
            return null;
        }
        return circuits.computeIfAbsent(endpoint.handlerName(), name -> new HandlerCircuit(name, killSwitch.get()));
    }

    /** The first attempt, then the immediate retries while the policy allows them and the failure is retryable. */
    private Outcome attempts(Endpoint endpoint, RetryPolicy policy, Message<?> message, IncomingDelivery incoming,
                             int firstAttempt, long startNanos) {
        HandlerCircuit circuit = circuitOf(endpoint);
        int attempt = firstAttempt;
        int immediateDone = 0;
        while (true) {
            Delivery delivery = new Delivery(endpoint.handlerName(), endpoint.queue(), incoming.routingKey(), attempt,
                    incoming.redelivered() && attempt == firstAttempt);
            Outcome outcome = handle(endpoint, message, delivery);
            if (outcome instanceof Outcome.Handled) {
                if (circuit != null) {
                    circuit.recordSuccess();
                }
                return outcome;
            }
            if (!(outcome instanceof Outcome.Retry retry)) {
                return outcome; // put back for a stop
            }
            Throwable failure = retry.failure();
            Outcome classified = failed(endpoint, failure, attempt, policy, incoming, message);
            if (!(classified instanceof Outcome.Retry) && !retryableLastAttempt(endpoint, failure, classified)) {
                return classified; // final: not retryable, so the kill switch does not count it either
            }
            if (circuit != null && circuit.recordFailure()) {
                return new Outcome.Requeue(attempt, failure, message, Outcome.Requeue.Cause.KILL_SWITCH);
            }
            if (!(classified instanceof Outcome.Retry) || !immediateRetryLeft(policy, immediateDone, startNanos)) {
                return classified;
            }
            if (!pause(policy.immediateRetries().orElseThrow().backoff())) {
                return stopping.getAsBoolean() ? new Outcome.Requeue(attempt, failure, message) : classified;
            }
            immediateDone++;
            attempt++;
        }
    }

    /** A last attempt's retryable failure still counts for the kill switch (an outage must trip it, not dead-letter all). */
    private boolean retryableLastAttempt(Endpoint endpoint, Throwable failure, Outcome classified) {
        return classified instanceof Outcome.DeadLettered dead && dead.reason() == DeadLetterReason.MAX_RETRIES_EXCEEDED
                && retryable(endpoint, failure);
    }

    private boolean immediateRetryLeft(RetryPolicy policy, int immediateDone, long startNanos) {
        Optional<RetryPolicy.ImmediateRetries> immediate = policy.immediateRetries();
        if (immediate.isEmpty() || immediateDone >= immediate.get().attempts() || stopping.getAsBoolean()) {
            return false;
        }
        long elapsed = System.nanoTime() - startNanos + immediate.get().backoff().toNanos();
        return elapsed < immediate.get().cap().toNanos();
    }

    /** Waits before an immediate retry; false if interrupted (the interrupt flag is kept). */
    private static boolean pause(java.time.Duration backoff) {
        if (backoff.isZero()) {
            return !Thread.currentThread().isInterrupted();
        }
        try {
            TimeUnit.NANOSECONDS.sleep(backoff.toNanos());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Outcome reported(Endpoint endpoint, Outcome outcome, long handlerNanos) {
        observer.delivered(endpoint, outcome, java.time.Duration.ofNanos(handlerNanos));
        return outcome;
    }

    /**
     * Runs the handler once with the delivery's log context, causation and observers' scope around it: Handled, a Retry
     * carrying the failure (classified by the caller), or a Requeue for a stop.
     */
    private Outcome handle(Endpoint endpoint, Message<?> message, Delivery delivery) {
        int attempt = delivery.attempt();
        LogContext.enter(message, delivery);
        Causation.set(message);
        try (EventBusObserver.Scope scope = observer.handling(endpoint, message, delivery)) {
            endpoint.subscription().handle(message, delivery);
            return new Outcome.Handled(attempt, message);
        } catch (StackOverflowError e) {
            return new Outcome.Retry(attempt, java.time.Duration.ZERO, e, message);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            if (interrupted(e) && stopping.getAsBoolean()) {
                return new Outcome.Requeue(attempt, e, message);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Outcome.Retry(attempt, java.time.Duration.ZERO, e, message);
        } finally {
            Causation.set(null);
            LogContext.leave();
        }
    }

    /** What a failed attempt comes to: retried after the policy's next broker delay, or dead-lettered with why. */
    private Outcome failed(Endpoint endpoint, Throwable failure, int attempt, RetryPolicy policy, IncomingDelivery incoming,
                           @org.jspecify.annotations.Nullable Message<?> message) {
        DeadLetterReason reason = DeadLetterReason.forFailure(failure, attempt <= policy.maxRetries());
        if (reason == null && !retryable(endpoint, failure)) {
            reason = DeadLetterReason.NON_RETRYABLE;
        }
        if (reason == null) {
            java.time.Duration delay = policy.delay(incoming.delayedRetries() + 1, ThreadLocalRandom.current().nextDouble());
            return new Outcome.Retry(attempt, delay, failure, message);
        }
        return new Outcome.DeadLettered(reason, attempt, failure, message);
    }

    /** Whether the bus's and the subscription's classifications both retry a failure. */
    private boolean retryable(Endpoint endpoint, Throwable failure) {
        return !(failure instanceof dev.eventbus.core.NonRetryableException) && busRules.retries(failure)
                && endpoint.subscription().failureClassification().retries(failure);
    }

    private Message<?> decode(Endpoint endpoint, byte[] body) {
        Message<?> message;
        if (endpoint.isUntyped()) {
            return codec.untyped(codec.decodeEnvelope(body));
        }
        if (validator == MessageValidator.NONE) {
            // no validator needs the attributes as a tree: bound straight from the bytes
            message = codec.decode(body);
        } else {
            // one parse: the tree the validator checks is the one the attributes are bound from
            Envelope envelope = codec.decodeEnvelope(body);
            validator.validate(envelope.name(), envelope.version(), envelope.attributes());
            message = codec.toMessage(envelope);
        }
        if (!handles(endpoint, message)) {
            throw new MessageDecodingException(MessageDecodingException.Reason.UNKNOWN_TYPE, message.describe()
                    + " arrived at queue '" + endpoint.queue() + "' of handler " + endpoint.handlerName() + ", which handles "
                    + endpoint.subscription().types() + "; check what is bound to the queue");
        }
        return message;
    }

    /** Whether the endpoint's subscription handles the message (a loop: this runs for every delivery). */
    private static boolean handles(Endpoint endpoint, Message<?> message) {
        for (MessageType<?> type : endpoint.subscription().types()) {
            if (type.name().equals(message.name()) && type.version() == message.version()
                    || type.javaType().isInstance(message.payload())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the failure comes from an interruption: the thread's flag, or an interrupt exception in the causes. */
    private static boolean interrupted(Throwable failure) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException || cause instanceof ClosedByInterruptException
                    || cause instanceof InterruptedIOException && !(cause instanceof java.net.SocketTimeoutException)) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
