/**
 * The RabbitMQ event bus: {@link dev.eventbus.rabbitmq.RabbitMqEventBus} (publish with confirms, consume with TTL
 * retries and dead letters), built by {@link dev.eventbus.rabbitmq.RabbitMqEventBusBuilder}; its administration view
 * {@link dev.eventbus.rabbitmq.RabbitMqAdmin} (configure, clear, deliver to one queue, {@link
 * dev.eventbus.rabbitmq.RabbitMqDeadLetters dead letters}, the {@link dev.eventbus.rabbitmq.Topology} as a value); its
 * connection settings, the headers it writes, and its exceptions.
 *
 * <p>The implementation lives in {@code dev.eventbus.rabbitmq.internal.*}, by role (connection, publishing, consuming,
 * topology): not API. Everything here is non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.eventbus.rabbitmq;

import org.jspecify.annotations.NullMarked;
