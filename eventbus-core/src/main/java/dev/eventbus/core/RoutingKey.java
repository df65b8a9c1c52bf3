package dev.eventbus.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The routing key an event or command class declares for itself, instead of the one its service's convention derives
 * ({@code org.service.version.event.name}): the message is published to its service's exchange with exactly this key,
 * and every handler queue of the type is bound with exactly this key. For fleets that define each event's topic on the
 * event class, in a library every service shares:
 *
 * <pre>{@code
 * @RoutingKey("stega.returns_updated")
 * record ReturnsUpdated(String portfolioId) implements Event {}
 * // published to org.service with routing key stega.returns_updated
 * // handler queue org.service.stega.returns_updated.<handler>, bound to the publisher's exchange with stega.returns_updated
 * }</pre>
 *
 * <p>The value is one or more words of {@code A-Za-z0-9_-} separated by dots, at most 200 bytes (the queues derived from
 * it must fit AMQP's 255); no {@code *} or {@code #}, since it is also a binding key. The body's {@code type} and
 * {@code version} stay those of {@link MessageName} and {@link MessageVersion}, so decoding is unchanged. Keys outside
 * the convention are not matched by the convention's wildcard bindings: the shared {@code store} queue and
 * {@code Subscription.allMessages} handlers do not receive such messages.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RoutingKey {

    /**
     * The routing key, e.g. {@code stega.returns_updated}.
     *
     * @return the key
     */
    String value();
}
