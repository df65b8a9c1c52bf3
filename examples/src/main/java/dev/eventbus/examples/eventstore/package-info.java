/**
 * An event store with replay (seed 004 and petisco's store queue): {@link dev.eventbus.examples.eventstore.EventStoreService}
 * stores every message of the service's exchange, read from the shared store queue, in a database
 * ({@link dev.eventbus.examples.eventstore.EventStore}: H2 by default, PostgreSQL when a JDBC URL is given) under a
 * monotonically increasing offset, and on a {@link dev.eventbus.examples.eventstore.ReplayRequested} command sends the
 * stored bodies, in order and in chunks, to the one handler queue that asked
 * ({@link dev.eventbus.examples.eventstore.Replayer}). {@link dev.eventbus.examples.eventstore.ObjectAudit} is a subscriber
 * that goes away, comes back, catches up on exactly what it missed and continues live.
 */
package dev.eventbus.examples.eventstore;
