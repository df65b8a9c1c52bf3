package dev.eventbus.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a Spring bean as an event handler: the auto-configuration subscribes it to the bus when the
 * application context starts. The method returns {@code void} and takes the message as its first parameter, either
 * the payload ({@code UserCreated created}) or the {@link dev.eventbus.core.Message} ({@code Message<UserCreated>}),
 * and optionally the {@link dev.eventbus.core.Delivery} as its second. The payload's type is the message type handled.
 *
 * <pre>{@code
 * @Component
 * class Mailer {
 *     @EventHandler                                            // handler send_welcome_mail
 *     void sendWelcomeMail(UserCreated created) { ... }
 *
 *     @EventHandler(name = "audit_user", from = "accounts")    // UserDeleted published by the service accounts
 *     void audit(Message<UserDeleted> message, Delivery delivery) { ... }
 * }
 * }</pre>
 *
 * <p>Same contract as {@link dev.eventbus.core.MessageHandler}: return to acknowledge, throw to retry, throw a
 * {@link dev.eventbus.core.NonRetryableException} to dead-letter at once. The method runs on the bus's handler threads,
 * possibly concurrently; a message may arrive twice (at-least-once delivery). It is called through the bean, so proxies
 * ({@code @Transactional}) apply.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface EventHandler {

    /**
     * The handler's name, which names its queue ({@code <routing key>.<name>}): snake_case, e.g.
     * {@code send_welcome_mail}. Default: the method name in snake_case ({@code sendWelcomeMail} ->
     * {@code send_welcome_mail}), split as {@link dev.eventbus.core.Names#handlerName(String)} splits it.
     */
    String name() default "";

    /**
     * The service whose messages the handler receives, when not this service's own (see
     * {@link dev.eventbus.core.Subscription#from(String)}). Default: this service.
     */
    String from() default "";

    /** The organization of {@link #from()}, when it is not this service's organization. Default: this organization. */
    String fromOrganization() default "";
}
