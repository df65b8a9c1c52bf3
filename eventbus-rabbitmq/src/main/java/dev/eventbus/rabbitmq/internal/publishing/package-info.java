/**
 * Not API: internals of {@code eventbus-rabbitmq}, public only so that the module's packages can use each other. They
 * may change in any release without notice; use {@link dev.eventbus.rabbitmq.RabbitMqEventBus} and its views instead.
 *
 * <p>Publishing with confirms: channels in confirm mode, the in-flight bound, what automatic recovery does not cover.
 */
@NullMarked
package dev.eventbus.rabbitmq.internal.publishing;

import org.jspecify.annotations.NullMarked;
