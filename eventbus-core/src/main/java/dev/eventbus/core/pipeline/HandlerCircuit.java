package dev.eventbus.core.pipeline;

import dev.eventbus.core.KillSwitch;
import java.time.Instant;
import java.util.Objects;

/**
 * The state of one handler's {@link KillSwitch}: a count-based sliding window of its latest attempts, closed (counting),
 * open (tripped: the bus consumes none of its queues) or half-open (consuming again after the cool-down; the next
 * outcome decides). Thread-safe: every method is synchronized on the circuit (handler threads record concurrently).
 */
public final class HandlerCircuit {

    /** Where the switch stands. */
    public enum State {
        /** Counting attempts; consuming. */
        CLOSED,
        /** Tripped: not consuming until the cool-down is over. */
        OPEN,
        /** Consuming again after a cool-down: the next success closes it, the next failure opens it again. */
        HALF_OPEN
    }

    private final String handler;
    private final KillSwitch settings;
    /** Ring of the latest outcomes, true for a failure. */
    private final boolean[] failures;
    private int next;
    private int counted;
    private int failed;
    private State state = State.CLOSED;
    private Instant openUntil = Instant.EPOCH;
    private String lastTrip = "";

    /** A closed circuit of this handler. */
    public HandlerCircuit(String handler, KillSwitch settings) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.failures = new boolean[settings.window()];
    }

    /** The kill switch's settings. */
    public KillSwitch settings() {
        return settings;
    }

    /** Where it stands now. */
    public synchronized State state() {
        return state;
    }

    /** Counts a success: a half-open circuit closes, with an empty window. */
    public synchronized void recordSuccess() {
        if (state == State.HALF_OPEN) {
            state = State.CLOSED;
            reset();
            return;
        }
        if (state == State.CLOSED) {
            add(false);
        }
    }

    /**
     * Counts a retryable failure.
     *
     * @return whether the circuit is open after it (it tripped now, or was open or half-open already): the delivery must
     *         go back to its queue, and consumption stop for the cool-down
     */
    public synchronized boolean recordFailure() {
        if (state == State.OPEN) {
            return true;
        }
        if (state == State.HALF_OPEN) {
            trip("its first attempt after a cool-down failed");
            return true;
        }
        add(true);
        if (counted >= settings.minimumAttempts() && failed >= settings.failureRateThreshold() * counted) {
            trip(failed + " of its last " + counted + " attempts failed (threshold "
                    + Math.round(settings.failureRateThreshold() * 100) + " %)");
            return true;
        }
        return false;
    }

    /** After the cool-down: the bus consumes again, and the next outcome decides. Nothing if not open. */
    public synchronized void halfOpen() {
        if (state == State.OPEN) {
            state = State.HALF_OPEN;
        }
    }

    /** Why it tripped last, and until when it is open, for health details and logs. */
    public synchronized String describe() {
        return switch (state) {
            case CLOSED -> "kill switch closed: " + failed + " of the last " + counted + " attempts failed";
            case OPEN -> "kill switch tripped: " + lastTrip + "; consuming again at " + openUntil;
            case HALF_OPEN -> "kill switch half-open after a cool-down: " + lastTrip;
        };
    }

    private void trip(String why) {
        state = State.OPEN;
        openUntil = Instant.now().plus(settings.coolDown());
        lastTrip = "handler " + handler + ": " + why;
        reset();
    }

    private void reset() {
        java.util.Arrays.fill(failures, false);
        next = 0;
        counted = 0;
        failed = 0;
    }

    private void add(boolean failure) {
        if (counted == failures.length) {
            if (failures[next]) {
                failed--;
            }
        } else {
            counted++;
        }
        failures[next] = failure;
        if (failure) {
            failed++;
        }
        next = (next + 1) % failures.length;
    }
}
