package dev.eventbus.core.pipeline;

import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Message;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one delivery came to, decided by the {@link DeliveryPipeline} and carried out by the bus: acknowledge,
 * republish for a retry, dead-letter, or put back. Exhaustive: a bus switches over the four cases.
 */
public sealed interface Outcome {

    /** The message, if it could be decoded. */
    @Nullable Message<?> message();

    /**
     * The handler returned: acknowledge the message.
     *
     * @param attempt which attempt succeeded (1 for the first delivery)
     */
    record Handled(int attempt, Message<?> message) implements Outcome {
        public Handled {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The attempt failed and retries are left: deliver the message again to the same handler queue after the delay,
     * counting {@code attempt} retries done (the transport's retry counter becomes {@code attempt}).
     *
     * @param attempt the attempt that failed; also the retry counter of the copy
     * @param delay   how long to wait first (on RabbitMQ the retry queue's TTL, fixed per queue)
     * @param failure why it failed
     */
    record Retry(int attempt, Duration delay, Throwable failure, @Nullable Message<?> message) implements Outcome {
        public Retry {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(failure, "failure");
        }
    }

    /**
     * The message goes to the handler's dead letters, with why.
     *
     * @param reason   why
     * @param attempts how many attempts were made (0 if the handler never saw it)
     * @param failure  the last failure
     */
    record DeadLettered(DeadLetterReason reason, int attempts, Throwable failure, @Nullable Message<?> message)
            implements Outcome {
        public DeadLettered {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(failure, "failure");
        }
    }

    /**
     * The message goes back to its queue as it was (no retry counted, not dead-lettered), for the next consumer: the
     * handler was interrupted because the bus is stopping, or its {@link dev.eventbus.core.KillSwitch} is tripped.
     *
     * @param attempt the attempt that was interrupted or failed
     * @param failure what the handler threw
     * @param cause   why it goes back
     */
    record Requeue(int attempt, Throwable failure, @Nullable Message<?> message, Cause cause) implements Outcome {
        public Requeue {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(cause, "cause");
        }

        /** A handler interrupted by stop. */
        public Requeue(int attempt, Throwable failure, @Nullable Message<?> message) {
            this(attempt, failure, message, Cause.STOPPING);
        }

        /** Why a message goes back to its queue. */
        public enum Cause {
            /** The bus is stopping and interrupted the handler. */
            STOPPING,
            /**
             * The handler's kill switch is tripped (by this failure or before): the bus stops consuming its queues for the
             * cool-down, and sets the message aside without counting the attempt (RabbitMQ sends it once more through its
             * retry route with its counters unchanged, rather than requeue it, which quorum queues count towards their
             * delivery limit).
             */
            KILL_SWITCH
        }
    }
}
