package dev.eventbus.testkit;

import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs test classes that exist to be run by another test, in a JUnit engine run of their own (so that their broker
 * selection and cleanup are their own), and returns their test events. Such classes carry
 * {@code @EnabledIfSystemProperty(named = InnerTests.PROPERTY, matches = "true", ...)}: run on their own (an IDE, or
 * a {@code -Dit.test} pattern that replaces Failsafe's exclusion of nested classes) they are skipped, saying why,
 * instead of failing for want of the setting their enclosing test gives them.
 */
final class InnerTests {

    static final String PROPERTY = "eventbus.testkit.inner-tests";
    static final String ONLY_FROM_ITS_TEST = "runs only from its enclosing test, which checks what it leaves behind";

    private InnerTests() {
    }

    static Events run(Class<?> testClass) {
        String previous = System.setProperty(PROPERTY, "true");
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute().testEvents();
        } finally {
            if (previous == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, previous);
            }
        }
    }
}
