/**
 * An event store with replay (seed 004 and petisco's store queue): {@link dev.eventbus.examples.eventstore.EventStoreService}
 * (service {@code eventstore}) stores every message of the organization's services, read from the vhost's store
 * queue, in a database ({@link dev.eventbus.examples.eventstore.EventStore}: H2 by default, PostgreSQL when a JDBC URL
 * is given) under a monotonically increasing offset, and on a {@link dev.eventbus.examples.eventstore.ReplayRequested}
 * command sends the stored bodies, in order and in chunks, to the one handler queue that asked
 * ({@code RabbitMqEventBus.deliverTo}). {@link dev.eventbus.examples.eventstore.ObjectAudit} (service {@code audit}) is
 * a subscriber that goes away, comes back, catches up on exactly what it missed and continues live.
 * {@link dev.eventbus.examples.eventstore.StreamAudit} (service {@code stream_audit}) is the same returning subscriber
 * with a RabbitMQ stream as the log: it reads datagen's stream from its offset, kept in a database table.
 */
package dev.eventbus.examples.eventstore;
