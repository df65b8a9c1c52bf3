package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FailureClassificationTest {

    @Test
    void retriesEverythingByDefault() {
        assertTrue(FailureClassification.retryingAll().retries(new IllegalStateException("x")));
    }

    @Test
    void retryOnRetriesOnlyMatchingClassesAndTheirSubclasses() {
        FailureClassification rules = FailureClassification.retryingAll().retryOn(IOException.class, TimeoutException.class);
        assertTrue(rules.retries(new java.net.SocketException("reset")));
        assertTrue(rules.retries(new TimeoutException("slow")));
        assertFalse(rules.retries(new IllegalArgumentException("bad")));
        assertFalse(rules.retries(new UncheckedIOException(new IOException("wrapped"))), "causes are not matched");
    }

    @Test
    void ignoreWinsOverRetryOn() {
        FailureClassification rules = FailureClassification.retryingAll().retryOn(RuntimeException.class)
                .ignore(IllegalArgumentException.class)
                .ignore(e -> String.valueOf(e.getMessage()).contains("duplicate key"));
        assertTrue(rules.retries(new IllegalStateException("down")));
        assertFalse(rules.retries(new NumberFormatException("x")), "a subclass of an ignored class");
        assertFalse(rules.retries(new IllegalStateException("duplicate key 7")));
    }

    @Test
    void aRuleThatThrowsDoesNotMatch() {
        FailureClassification rules = FailureClassification.retryingAll().ignore(e -> {
            throw new IllegalStateException("broken rule");
        });
        assertTrue(rules.retries(new IllegalStateException("x")));
    }
}
