/**
 * Spring Boot 3 auto-configuration of the event bus: add {@code dev.eventbus:eventbus-spring-boot-starter}, set
 * {@code eventbus.organization} and {@code eventbus.service}, declare handler beans, and the bus starts and stops with
 * the application context.
 *
 * <ul>
 *   <li>{@link dev.eventbus.spring.boot.EventBusProperties}: the {@code eventbus.*} properties;</li>
 *   <li>{@link dev.eventbus.spring.boot.EventHandler}: handler methods on beans ({@code MessageHandler},
 *       {@code DeliveryHandler} and {@code Subscription} beans are subscribed too);</li>
 *   <li>{@link dev.eventbus.spring.boot.EventBusLifecycle}: start and stop, and their phase;</li>
 *   <li>{@link dev.eventbus.spring.boot.EventBusHealthIndicator} and {@link dev.eventbus.spring.boot.EventBusEndpoint}:
 *       Actuator;</li>
 *   <li>{@link dev.eventbus.spring.boot.RabbitMqEventBusBuilderCustomizer} and
 *       {@link dev.eventbus.spring.boot.InMemoryEventBusBuilderCustomizer}: the extension points.</li>
 * </ul>
 *
 * The auto-configuration classes are public because Spring Boot requires it (to exclude them, for instance); their
 * bean methods are not API.
 */
@NullMarked
package dev.eventbus.spring.boot;

import org.jspecify.annotations.NullMarked;
