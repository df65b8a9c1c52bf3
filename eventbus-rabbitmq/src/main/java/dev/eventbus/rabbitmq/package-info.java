/**
 * The RabbitMQ event bus: {@link dev.eventbus.rabbitmq.RabbitMqEventBus} (configure, publish with confirms,
 * consume with TTL retries and dead letters), its connection settings, topology and dead-letter reader.
 * Package-private classes are implementation, not API.
 */
package dev.eventbus.rabbitmq;
