/**
 * Typed events through a transactional outbox and an idempotent inbox: {@link dev.eventbus.examples.billing.Billing}
 * debits an account and publishes {@link dev.eventbus.examples.billing.AccountDebited} in the same database
 * transaction; {@link dev.eventbus.examples.billing.Bookkeeping} books each event once, in the same transaction as its
 * inbox record.
 */
package dev.eventbus.examples.billing;
