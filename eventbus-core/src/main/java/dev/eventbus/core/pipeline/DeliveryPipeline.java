package dev.eventbus.core.pipeline;

import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Delivery;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.Envelope;
import dev.eventbus.core.EventBusObserver;
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
 *   <li>any other failure, including a validator that fails unexpectedly, is attempt {@code retries + 1}: retried while
 *       {@code attempt <= maxRetries}, then dead-lettered ({@link DeadLetterReason#MAX_RETRIES_EXCEEDED});</li>
 *   <li>a handler interrupted while the bus stops is put back ({@link Outcome.Requeue}), never retried or dead-lettered
 *       for the interruption.</li>
 * </ul>
 *
 * <p>Thread-safe and stateless apart from its collaborators: handler threads call it concurrently.
 */
public final class DeliveryPipeline {

    private final MessageCodec codec;
    private final MessageValidator validator;
    private final BooleanSupplier stopping;
    private final EventBusObserver observer;

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
            return reported(endpoint, failed(unexpected, attempt, policy, null), 0);
        }
        Delivery delivery = new Delivery(endpoint.handlerName(), endpoint.queue(), incoming.routingKey(), attempt,
                incoming.redelivered());
        long start = System.nanoTime();
        Outcome outcome = handle(endpoint, policy, message, delivery);
        return reported(endpoint, outcome, System.nanoTime() - start);
    }

    private Outcome reported(Endpoint endpoint, Outcome outcome, long handlerNanos) {
        observer.delivered(endpoint, outcome, java.time.Duration.ofNanos(handlerNanos));
        return outcome;
    }

    /** Runs the handler with the delivery's log context, causation and observers' scope around it. */
    private Outcome handle(Endpoint endpoint, RetryPolicy policy, Message<?> message, Delivery delivery) {
        int attempt = delivery.attempt();
        LogContext.enter(message, delivery);
        Causation.set(message);
        try (EventBusObserver.Scope scope = observer.handling(endpoint, message, delivery)) {
            endpoint.subscription().handle(message, delivery);
            return new Outcome.Handled(attempt, message);
        } catch (StackOverflowError e) {
            return failed(e, attempt, policy, message);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            if (interrupted(e) && stopping.getAsBoolean()) {
                return new Outcome.Requeue(attempt, e, message);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return failed(e, attempt, policy, message);
        } finally {
            Causation.set(null);
            LogContext.leave();
        }
    }

    private static Outcome failed(Throwable failure, int attempt, RetryPolicy policy, Message<?> message) {
        DeadLetterReason reason = DeadLetterReason.forFailure(failure, attempt <= policy.maxRetries());
        if (reason == null) {
            return new Outcome.Retry(attempt, policy.delay(), failure, message);
        }
        return new Outcome.DeadLettered(reason, attempt, failure, message);
    }

    private Message<?> decode(Endpoint endpoint, byte[] body) {
        Envelope envelope = codec.decodeEnvelope(body);
        if (endpoint.isUntyped()) {
            return codec.untyped(envelope);
        }
        validator.validate(envelope.name(), envelope.version(), envelope.attributes());
        Message<?> message = codec.toMessage(envelope);
        if (!handles(endpoint, message)) {
            throw new MessageDecodingException(MessageDecodingException.Reason.UNKNOWN_TYPE, envelope.describe()
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
