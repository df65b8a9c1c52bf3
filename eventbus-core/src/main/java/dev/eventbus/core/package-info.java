/**
 * The core of eventbus: the message model ({@link dev.eventbus.core.Message}, {@link dev.eventbus.core.MessageType}),
 * the naming {@link dev.eventbus.core.Convention}, petisco's JSON envelope ({@link dev.eventbus.core.MessageCodec}),
 * the handler API ({@link dev.eventbus.core.Subscription}, {@link dev.eventbus.core.MessageHandler}), retry policy,
 * and the {@link dev.eventbus.core.EventBus} with its in-memory implementation. No broker code.
 */
package dev.eventbus.core;
