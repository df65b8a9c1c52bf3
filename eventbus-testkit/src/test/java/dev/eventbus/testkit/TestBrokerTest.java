package dev.eventbus.testkit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestBrokerTest {

    private final RunningBroker broker = RunningBroker.external(BrokerSource.LOCALHOST, new BrokerUri("amqp://guest:guest@localhost"),
            new RabbitMqCtl(LocalCtlRunner.unavailable("unit test"), "/", Duration.ofSeconds(1)));

    @Test
    void givesEachTestItsOwnOrganizationAndAServiceNamedAfterTheClass() {
        TestBroker first = TestBroker.forTest(broker, TestBrokerTest.class);
        TestBroker second = TestBroker.forTest(broker, TestBrokerTest.class);

        assertTrue(first.organization().matches("t[0-9a-f]{12}"), first.organization());
        assertNotEquals(first.organization(), second.organization());
        assertEquals("testbrokertest", first.service());
        assertEquals(first.organization() + ".testbrokertest", first.convention().mainExchange());
        assertEquals("testkit-" + first.organization(), first.connectionNamePrefix());
    }

    @Test
    void sanitizesServiceNamesToLettersDigitsUnderscoreAndDash() {
        class Ünïcode$Test {
        }
        assertEquals("_n_code_test", TestBroker.serviceName(Ünïcode$Test.class));
        assertEquals("test", TestBroker.serviceName(null));
        assertEquals(40, TestBroker.serviceName(AVeryLongTestClassNameThatGoesOnAndOnAndOnForeverAndEver.class).length());
    }

    @Test
    void ownsOnlyNamesWithItsOrganizationAndNeverTheSharedStoreQueues() {
        TestBroker test = new TestBroker(broker, "t0123456789ab", "svc");

        assertTrue(test.owns("t0123456789ab.svc"));
        assertTrue(test.owns("dead_letter.t0123456789ab.svc.1.event.user.created.send_mail"));
        assertTrue(test.owns("retry.t0123456789ab.store"));
        assertFalse(test.owns("t999.svc"));
        assertFalse(test.owns("store"));
        assertFalse(test.owns("retry.store"));
        assertFalse(test.owns("dead_letter.store"));
        assertFalse(test.owns("amq.t0123456789ab"));
    }

    @Test
    void neverShowsThePasswordInItsDescription() {
        TestBroker test = TestBroker.forTest(new RunningBroker(BrokerSource.ENVIRONMENT, new BrokerUri("amqp://app:hunter2@h/v"),
                new RabbitMqCtl(LocalCtlRunner.unavailable("unit test"), "v", Duration.ofSeconds(1)), () -> { }), null);

        assertEquals("amqp://app:hunter2@h/v", test.uri());
        assertEquals("amqp://app:****@h/v", test.displayUri());
        assertFalse(test.toString().contains("hunter2"), test.toString());
    }

    private static final class AVeryLongTestClassNameThatGoesOnAndOnAndOnForeverAndEver {
    }
}
