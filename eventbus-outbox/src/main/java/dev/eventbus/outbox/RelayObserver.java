package dev.eventbus.outbox;

import dev.eventbus.core.pipeline.EncodedMessage;

/**
 * What an outbox relay does, for metrics, logs and tests: every method has a no-op default, so implement only what
 * you need. Called on the relay's thread, between its database statements and while its transaction holds the rows:
 * keep it quick and never block; an exception thrown here is logged and ignored.
 */
public interface RelayObserver {

    /** The observer that does nothing: the default. */
    RelayObserver NONE = new RelayObserver() {
    };

    /** The relay locked a batch of waiting rows and is about to send {@code rows} of them. */
    default void claimed(int rows) {
    }

    /** The broker confirmed a message; its row is deleted when the batch commits. */
    default void confirmed(EncodedMessage message) {
    }

    /** Sending a message failed; its row stays and is tried again after a back-off. */
    default void failed(EncodedMessage message, Throwable cause) {
    }

    /** The batch's transaction committed: {@code sent} rows deleted, {@code failed} rows postponed. */
    default void committed(int sent, int failed) {
    }
}
