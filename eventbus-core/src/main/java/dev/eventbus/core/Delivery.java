package dev.eventbus.core;

import java.util.Objects;
import java.util.Optional;

/**
 * What the bus knows about the delivery a handler is running for, besides the message: which attempt this is,
 * whether the broker delivered it before, and where it came from. For logs, metrics and retry decisions.
 *
 * <pre>{@code
 * public void handle(Message<UserCreated> message) {
 *     int attempt = Delivery.current().map(Delivery::attempt).orElse(1);
 *     ...
 * }
 * }</pre>
 *
 * <p>The buses set it on the handler thread for the duration of each handler call ({@link #current()} is empty
 * elsewhere). Immutable.
 *
 * @param handler     the handler's name
 * @param queue       the queue the message came from (on the in-memory bus, the queue it would be on a broker)
 * @param routingKey  the routing key it was first published with
 * @param attempt     1 for the first delivery to this handler, 2 for the first retry, and so on
 * @param redelivered whether the broker delivered this copy before without an acknowledgement (a consumer or its
 *                    connection failed while handling it): it may have been handled already
 */
public record Delivery(String handler, String queue, String routingKey, int attempt, boolean redelivered) {

    private static final ThreadLocal<Delivery> CURRENT = new ThreadLocal<>();

    public Delivery {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(queue, "queue");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt " + attempt + " is not 1 or more");
        }
    }

    /** The delivery the current thread's handler is running for; empty outside a handler call. */
    public static Optional<Delivery> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * Runs a handler call with this delivery as {@link #current()}. For bus implementations (and tests of handlers
     * that read it).
     *
     * @throws Exception whatever the call throws
     */
    public void during(ThrowingRunnable call) throws Exception {
        Delivery previous = CURRENT.get();
        CURRENT.set(this);
        try {
            call.run();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** A handler call that may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        /** Runs it. */
        void run() throws Exception;
    }
}
