/**
 * Not API: internals of {@code eventbus-rabbitmq}, public only so that the module's packages can use each other. They
 * may change in any release without notice; use {@link dev.eventbus.rabbitmq.RabbitMqEventBus} and its views instead.
 *
 * <p>Opening connections: the connection factory, its recovery and TLS settings.
 */
@NullMarked
package dev.eventbus.rabbitmq.internal.connection;

import org.jspecify.annotations.NullMarked;
