/**
 * The core of eventbus: the message model ({@link dev.eventbus.core.Message}, {@link dev.eventbus.core.MessageType}),
 * the naming {@link dev.eventbus.core.Convention} and its {@link dev.eventbus.core.Endpoint}s, petisco's JSON envelope
 * ({@link dev.eventbus.core.MessageCodec}), the handler API ({@link dev.eventbus.core.Subscription},
 * {@link dev.eventbus.core.MessageHandler}, {@link dev.eventbus.core.DeliveryHandler}), retry policy, the roles of a bus
 * ({@link dev.eventbus.core.EventPublisher}, {@link dev.eventbus.core.EventBus}, {@link dev.eventbus.core.EventBusAdmin})
 * and its in-memory implementation. No broker code.
 *
 * <p>Everything here is non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.eventbus.core;

import org.jspecify.annotations.NullMarked;
