package dev.eventbus.core.pipeline;

import dev.eventbus.core.Convention;
import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageValidator;
import java.util.Objects;

/**
 * The one publishing pipeline of every bus: check that the payload is an event or command, validate its attributes,
 * encode it, and name its exchange and routing key by the {@link Convention}. The bus then only sends the
 * {@link Outgoing} it returns. Thread-safe.
 */
public final class PublishPipeline {

    private final Convention convention;
    private final MessageCodec codec;
    private final MessageValidator validator;

    public PublishPipeline(Convention convention, MessageCodec codec, MessageValidator validator) {
        this.convention = Objects.requireNonNull(convention, "convention");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    /**
     * Prepares one message for sending.
     *
     * @throws dev.eventbus.core.MessageEncodingException if the payload is not an event or command, or cannot be written
     * @throws dev.eventbus.core.InvalidMessageException  if the validator rejects its attributes
     * @throws dev.eventbus.core.ConfigurationException   if its name cannot be part of a routing key
     */
    public Outgoing prepare(Message<?> message) {
        Objects.requireNonNull(message, "message");
        EventPublisher.requirePublishable(message.payload());
        String routingKey = convention.routingKey(message);
        if (validator != MessageValidator.NONE) {
            validator.validate(message.name(), message.version(), codec.attributes(message));
        }
        return new Outgoing(message, convention.mainExchange(), routingKey, codec.encode(message));
    }

    /** The convention that names this pipeline's exchange and routing keys. */
    public Convention convention() {
        return convention;
    }
}
