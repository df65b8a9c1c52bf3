/**
 * Not API: internals of {@code eventbus-rabbitmq}, public only so that the module's packages can use each other. They
 * may change in any release without notice; use {@link dev.eventbus.rabbitmq.RabbitMqEventBus} and its views instead.
 *
 * <p>Declaring and deleting a Topology on the broker.
 */
@NullMarked
package dev.eventbus.rabbitmq.internal.topology;

import org.jspecify.annotations.NullMarked;
