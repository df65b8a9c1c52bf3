package dev.eventbus.testkit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class (or method) that needs a RabbitMQ broker: {@link RabbitMqExtension} finds one
 * (see {@link BrokerSource} for the order), and resolves {@link TestBroker} parameters of test methods,
 * constructors and lifecycle methods.
 *
 * <pre>{@code
 * @RabbitMqTest
 * class UserServiceIT {
 *     @Test
 *     void publishesUserCreated(TestBroker broker) { ... broker.uri() ... broker.convention() ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RabbitMqExtension.class)
public @interface RabbitMqTest {

    /**
     * Whether to skip (abort) the tests instead of failing them when no broker can be found or started.
     * Default is {@code false}: a missing broker fails the tests, with a message that says how to provide one.
     */
    boolean skipIfUnavailable() default false;
}
