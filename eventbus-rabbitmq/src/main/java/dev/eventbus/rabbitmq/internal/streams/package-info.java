/**
 * Stream subscriptions of the RabbitMQ bus: declaring a service's stream queue, reading it over AMQP 0.9.1 with
 * {@code x-stream-offset}, recording failures as dead letters. Not API: it may change in any release.
 */
@NullMarked
package dev.eventbus.rabbitmq.internal.streams;

import org.jspecify.annotations.NullMarked;
