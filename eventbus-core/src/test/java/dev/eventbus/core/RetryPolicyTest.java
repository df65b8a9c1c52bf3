package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Test
    void aFixedPolicyWaitsItsOneDelayBeforeEveryRetryInTheRetryQueue() {
        RetryPolicy policy = RetryPolicy.of(5, Duration.ofSeconds(5));
        assertEquals(RetryPolicy.DEFAULT, policy);
        assertTrue(policy.usesRetryQueue());
        assertEquals(ms(5000), policy.delay(1));
        assertEquals(ms(5000), policy.delay(5));
        assertEquals(5000, policy.delayMillis());
        assertEquals(new TreeSet<>(List.of(5000)), policy.brokerDelays());
    }

    @Test
    void aLadderWaitsEachStepInOrderThenRepeatsTheLast() {
        RetryPolicy policy = RetryPolicy.ladder(5, ms(100), ms(400), ms(800));
        assertFalse(policy.usesRetryQueue());
        assertEquals(5, policy.maxRetries());
        assertEquals(List.of(ms(100), ms(400), ms(800), ms(800), ms(800)),
                List.of(policy.delay(1), policy.delay(2), policy.delay(3), policy.delay(4), policy.delay(5)));
        assertEquals(new TreeSet<>(List.of(100, 400, 800)), policy.brokerDelays());
        assertEquals(3, RetryPolicy.ladder(ms(1), ms(2), ms(3)).maxRetries(), "one retry per step");
    }

    @Test
    void aLadderNeedsOnlyTheDelaysItsRetriesReach() {
        assertEquals(new TreeSet<>(List.of(100, 400)), RetryPolicy.ladder(2, ms(100), ms(400), ms(800)).brokerDelays());
        assertEquals(new TreeSet<>(List.of(100, 200)), RetryPolicy.ladder(ms(100), ms(100), ms(200)).brokerDelays(),
                "a repeated step does not end the ladder");
    }

    @Test
    void exponentialBackoffMultipliesUpToItsCap() {
        RetryPolicy policy = RetryPolicy.exponential(8, ms(100), 2.0, ms(1000));
        assertEquals(List.of(ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000)),
                List.of(policy.delay(1), policy.delay(2), policy.delay(3), policy.delay(4), policy.delay(5), policy.delay(8)));
        assertEquals(new TreeSet<>(List.of(100, 200, 400, 800, 1000)), policy.brokerDelays());
        assertEquals(ms(1000), policy.delay(10_000), "no overflow far past the cap");
    }

    @Test
    void jitterPicksOneOfFiveLevelsWithinTheFractionAndTheCap() {
        RetryPolicy policy = RetryPolicy.exponential(3, ms(1000), 2.0, ms(2200)).withJitter(0.2);
        assertEquals(ms(800), policy.delay(1, 0.0));
        assertEquals(ms(900), policy.delay(1, 0.2));
        assertEquals(ms(1000), policy.delay(1, 0.5));
        assertEquals(ms(1100), policy.delay(1, 0.7));
        assertEquals(ms(1200), policy.delay(1, 0.999));
        assertEquals(ms(2200), policy.delay(2, 0.999), "2000 * 1.2 is capped at 2200");
        for (double random = 0; random < 1; random += 0.01) {
            long delay = policy.delay(3, random).toMillis();
            assertTrue(delay >= 1760 && delay <= 2200, "jittered " + delay);
            assertTrue(policy.brokerDelays().contains((int) delay), delay + " has a delay queue in " + policy.brokerDelays());
        }
        assertTrue(policy.brokerDelays().size() <= 3 * RetryPolicy.JITTER_LEVELS);
    }

    @Test
    void aFixedDelayCannotBeJitteredAndTheMessageSaysWhatToUseInstead() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> RetryPolicy.of(3, ms(100)).withJitter(0.1));
        assertTrue(e.getMessage().contains("RetryPolicy.ladder"), e.getMessage());
    }

    @Test
    void refusesDelaysTheBrokerCannotHoldAndBadBackoffSettings() {
        assertThrows(ConfigurationException.class, () -> RetryPolicy.ladder(ms(0)));
        assertThrows(ConfigurationException.class, () -> RetryPolicy.ladder());
        assertThrows(ConfigurationException.class, () -> RetryPolicy.ladder(Duration.ofMillis(Integer.MAX_VALUE + 1L)));
        assertThrows(ConfigurationException.class, () -> RetryPolicy.exponential(3, ms(100), 0.5, ms(1000)));
        assertThrows(ConfigurationException.class, () -> RetryPolicy.exponential(3, ms(100), 2, ms(10)));
        assertThrows(ConfigurationException.class, () -> RetryPolicy.ladder(ms(10)).withJitter(1.0));
        assertThrows(ConfigurationException.class, () -> RetryPolicy.of(-1, ms(10)));
    }

    @Test
    void immediateRetriesAreBoundedSoTheyNeverHoldADeliveryLong() {
        RetryPolicy policy = RetryPolicy.ladder(ms(100)).withImmediateRetries(2, ms(10), ms(500));
        assertEquals(new RetryPolicy.ImmediateRetries(2, ms(10), ms(500)), policy.immediateRetries().orElseThrow());
        assertThrows(ConfigurationException.class, () -> new RetryPolicy.ImmediateRetries(11, ms(10), ms(500)));
        assertThrows(ConfigurationException.class, () -> new RetryPolicy.ImmediateRetries(2, Duration.ofSeconds(6), ms(500)));
        assertThrows(ConfigurationException.class, () -> new RetryPolicy.ImmediateRetries(2, ms(10), Duration.ofMinutes(1)));
    }
}
