package dev.eventbus.core;

/**
 * One attempt at a delivery of the in-memory bus: decode the body, validate it, run the handler. Runs on a
 * handler thread, outside the bus's lock; it only reads immutable state, so it is thread-safe.
 */
final class LocalAttempt {

    /**
     * What an attempt came to.
     *
     * @param attempts how many times the handler has run on the message, this attempt included
     * @param failure  why it failed, or {@code null} on success
     */
    record Outcome(int attempts, Throwable failure) { }

    private final MessageCodec codec;
    private final MessageValidator validator;

    LocalAttempt(MessageCodec codec, MessageValidator validator) {
        this.codec = codec;
        this.validator = validator;
    }

    /**
     * Decodes (typed, or untyped for the store), validates and handles a delivery. A body that cannot be
     * decoded or is invalid fails without running the handler, so it does not count as an attempt. Anything
     * the handler throws is a failure, except a {@link VirtualMachineError}, which propagates.
     */
    Outcome run(LocalDelivery delivery) {
        Message<?> message;
        try {
            message = decode(delivery);
        } catch (MessageDecodingException | InvalidMessageException e) {
            return new Outcome(delivery.attempts(), e);
        } catch (RuntimeException e) {
            // A validator that fails unexpectedly is treated like a failing handler: retried.
            return new Outcome(delivery.attempts() + 1, e);
        }
        try {
            delivery.queue().subscription().handle(message, new Delivery(delivery.queue().handlerName(),
                    delivery.queue().name(), delivery.routingKey(), delivery.attempts() + 1, false));
            return new Outcome(delivery.attempts() + 1, null);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Outcome(delivery.attempts() + 1, e);
        }
    }

    private Message<?> decode(LocalDelivery delivery) {
        Envelope envelope = codec.decodeEnvelope(delivery.body());
        validator.validate(envelope.name(), envelope.version(), envelope.attributes());
        return delivery.queue().isStore() ? codec.untyped(envelope) : codec.toMessage(envelope);
    }
}
