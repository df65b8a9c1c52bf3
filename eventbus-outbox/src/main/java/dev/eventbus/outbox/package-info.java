/**
 * A transactional outbox and an idempotent inbox on plain JDBC, for PostgreSQL and H2.
 *
 * <ul>
 *   <li>{@link dev.eventbus.outbox.Outbox}: publish inside the caller's database transaction; a relay sends the stored
 *       messages with the bus's confirms, in batches, skipping rows other relays hold, in order per ordering key;</li>
 *   <li>{@link dev.eventbus.outbox.Inbox}: a handler that records (handler, message id) in the same transaction as its
 *       own database work, so a redelivered or duplicated message is acknowledged without running it again.</li>
 * </ul>
 *
 * <p>{@code dev.eventbus.outbox.internal} is not API: it may change in any release.
 */
@NullMarked
package dev.eventbus.outbox;

import org.jspecify.annotations.NullMarked;
