/**
 * Not API: internals of {@code eventbus-rabbitmq}, public only so that the module's packages can use each other. They
 * may change in any release without notice; use {@link dev.eventbus.rabbitmq.RabbitMqEventBus} and its views instead.
 *
 * <p>Consuming: one consumer per queue, the handler threads, and settling each delivery's outcome from the core pipeline.
 */
@NullMarked
package dev.eventbus.rabbitmq.internal.consuming;

import org.jspecify.annotations.NullMarked;
