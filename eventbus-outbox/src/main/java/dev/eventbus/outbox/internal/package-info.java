/**
 * The outbox's and inbox's SQL, relay loop and notifications. Not API: types here may change in any release; use
 * {@link dev.eventbus.outbox.Outbox} and {@link dev.eventbus.outbox.Inbox}.
 */
@NullMarked
package dev.eventbus.outbox.internal;

import org.jspecify.annotations.NullMarked;
