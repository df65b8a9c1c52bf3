package dev.eventbus.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.KillSwitch;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HandlerCircuitTest {

    private final HandlerCircuit circuit = new HandlerCircuit("send_mail", new KillSwitch(0.5, 4, 4, Duration.ofSeconds(1)));

    @Test
    void tripsWhenTheFailureRateOfAFullWindowReachesTheThreshold() {
        assertFalse(circuit.recordFailure());
        circuit.recordSuccess();
        assertFalse(circuit.recordFailure(), "3 of 4 counted, under the minimum");
        assertEquals(HandlerCircuit.State.CLOSED, circuit.state());
        assertTrue(circuit.recordFailure(), "3 failures of 4");
        assertEquals(HandlerCircuit.State.OPEN, circuit.state());
        assertTrue(circuit.describe().contains("3 of its last 4 attempts failed"), circuit.describe());
        assertTrue(circuit.recordFailure(), "still open");
    }

    @Test
    void theWindowSlidesSoOldFailuresStopCounting() {
        circuit.recordFailure();
        circuit.recordSuccess();
        circuit.recordSuccess();
        circuit.recordSuccess();
        assertFalse(circuit.recordFailure(), "window: success, success, success, failure");
        assertTrue(circuit.recordFailure(), "window: success, success, failure, failure");
    }

    @Test
    void halfOpenClosesOnASuccessAndTripsAgainOnAFailure() {
        for (int i = 0; i < 4; i++) {
            circuit.recordFailure();
        }
        circuit.halfOpen();
        assertEquals(HandlerCircuit.State.HALF_OPEN, circuit.state());
        assertTrue(circuit.recordFailure(), "the first attempt after the cool-down failed");
        assertEquals(HandlerCircuit.State.OPEN, circuit.state());
        circuit.halfOpen();
        circuit.recordSuccess();
        assertEquals(HandlerCircuit.State.CLOSED, circuit.state());
        assertFalse(circuit.recordFailure(), "the window started empty");
    }
}
