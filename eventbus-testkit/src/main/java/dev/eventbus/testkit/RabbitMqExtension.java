package dev.eventbus.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.AnnotatedElement;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The JUnit 5 extension behind {@link RabbitMqTest}: finds the broker of the run once per JVM, fails
 * or skips the tests when there is none, and gives each test a {@link TestBroker} with its own names,
 * cleaned up after it.
 *
 * <p><b>Scope of a {@link TestBroker}.</b> One asked for by a test method or a {@code @BeforeEach} /
 * {@code @AfterEach} method belongs to that test and is released after it. One asked for first by a
 * constructor or a {@code @BeforeAll} / {@code @AfterAll} method belongs to the class: every test of
 * the class (and of its {@code @Nested} classes) then gets that same one, released after the class.
 * Releasing, after the {@code @AfterEach} (or {@code @AfterAll}) methods, stops its buses, closes the connections
 * it opened and deletes the exchanges and queues of its organization (see {@link TestBroker}); a name it cannot
 * delete fails the test (or class) with a message naming it.
 *
 * <p>The broker (and a container the testkit started) is kept in JUnit's root store and closed when
 * the run ends. Thread-safe: test classes may run in parallel.
 */
public final class RabbitMqExtension implements BeforeAllCallback, BeforeEachCallback, TestInstancePreConstructCallback,
        ParameterResolver, AfterEachCallback, AfterAllCallback {

    private static final Logger log = LoggerFactory.getLogger(RabbitMqExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RabbitMqExtension.class);
    private static final String BROKER_KEY = "broker";
    private static final String TEST_BROKER_KEY = "test-broker";

    private final Supplier<BrokerSelector> selector;

    /** The extension with the standard broker selection; JUnit creates it through {@link RabbitMqTest}. */
    public RabbitMqExtension() {
        this(BrokerSelector::standard);
    }

    RabbitMqExtension(Supplier<BrokerSelector> selector) {
        this.selector = Objects.requireNonNull(selector, "selector");
    }

    /** Finds the broker before the class's tests, failing or skipping the class if there is none. */
    @Override
    public void beforeAll(ExtensionContext context) {
        requireBroker(context);
    }

    /** Finds the broker before each test, failing or skipping it if there is none. */
    @Override
    public void beforeEach(ExtensionContext context) {
        requireBroker(context);
    }

    /** Releases the test's own {@link TestBroker}, if it has one, after its {@code @AfterEach} methods. */
    @Override
    public void afterEach(ExtensionContext context) {
        release(context);
    }

    /** Releases the class's {@link TestBroker}, if it has one, after its {@code @AfterAll} methods. */
    @Override
    public void afterAll(ExtensionContext context) {
        release(context);
    }

    /**
     * Releases the test broker created in this very context (not one inherited from an enclosing class), so that a
     * failure to clean up is reported as the test's own failure. Were this callback not to run, closing the store
     * would release it all the same.
     */
    private static void release(ExtensionContext context) {
        Scope scope = context.getStore(NAMESPACE).remove(TEST_BROKER_KEY, Scope.class);
        if (scope != null) {
            scope.testBroker().release();
        }
    }

    /** Finds the broker before a test instance is constructed, since the constructor may ask for a {@link TestBroker}. */
    @Override
    public void preConstructTestInstance(TestInstanceFactoryContext factoryContext, ExtensionContext context) {
        requireBroker(context);
    }

    /** Supports parameters of type {@link TestBroker}. */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestBroker.class;
    }

    /**
     * The {@link TestBroker} of the test (or class) asking, created on first request.
     *
     * @throws ParameterResolutionException if there is no broker, with how to provide one
     */
    @Override
    public TestBroker resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        BrokerOutcome outcome = outcome(context);
        if (outcome.failure() != null) {
            throw new ParameterResolutionException(outcome.failure().getMessage(), outcome.failure());
        }
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(TEST_BROKER_KEY,
                key -> new Scope(newTestBroker(outcome.broker(), context)), Scope.class).testBroker();
    }

    private static TestBroker newTestBroker(RunningBroker broker, ExtensionContext context) {
        TestBroker testBroker = TestBroker.forTest(broker, context.getTestClass().orElse(null));
        log.info("{} uses organization {} and service {} on {}", context.getDisplayName(), testBroker.organization(),
                testBroker.service(), testBroker.displayUri());
        return testBroker;
    }

    private void requireBroker(ExtensionContext context) {
        BrokerOutcome outcome = outcome(context);
        if (outcome.failure() != null) {
            failOrSkip(outcome.failure(), skipIfUnavailable(context));
        }
    }

    /**
     * Aborts the test (JUnit reports it skipped) when asked to skip and the broker is unavailable;
     * otherwise throws a new exception with the failure's message, so each test reports its own stack.
     */
    static void failOrSkip(RuntimeException failure, boolean skipIfUnavailable) {
        if (skipIfUnavailable && failure instanceof TestBrokerUnavailableException) {
            Assumptions.abort("skipped (@RabbitMqTest(skipIfUnavailable = true)): " + failure.getMessage());
        }
        throw new TestBrokerUnavailableException(failure.getMessage(), failure);
    }

    private BrokerOutcome outcome(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(BROKER_KEY, key -> select(), BrokerOutcome.class);
    }

    private BrokerOutcome select() {
        try {
            return new BrokerOutcome(selector.get().select(), null);
        } catch (RuntimeException e) {
            log.warn("eventbus-testkit has no RabbitMQ broker: {}", e.getMessage());
            return new BrokerOutcome(null, e);
        }
    }

    /** The innermost {@code skipIfUnavailable}: of the test method, its class, or an enclosing class. */
    static boolean skipIfUnavailable(ExtensionContext context) {
        Optional<RabbitMqTest> onMethod = context.getTestMethod().flatMap(method -> find(method));
        if (onMethod.isPresent()) {
            return onMethod.get().skipIfUnavailable();
        }
        for (Class<?> type = context.getTestClass().orElse(null); type != null; type = type.getEnclosingClass()) {
            Optional<RabbitMqTest> onClass = find(type);
            if (onClass.isPresent()) {
                return onClass.get().skipIfUnavailable();
            }
        }
        return false;
    }

    private static Optional<RabbitMqTest> find(AnnotatedElement element) {
        return AnnotationSupport.findAnnotation(element, RabbitMqTest.class);
    }

    /** The broker of the run, or why there is none; closing it releases the broker. */
    private record BrokerOutcome(RunningBroker broker, RuntimeException failure) implements ExtensionContext.Store.CloseableResource {

        @Override
        public void close() throws Exception {
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** A test broker in a JUnit store, released when its test or class ends. */
    private record Scope(TestBroker testBroker) implements ExtensionContext.Store.CloseableResource {

        @Override
        public void close() {
            testBroker.release();
        }
    }
}
