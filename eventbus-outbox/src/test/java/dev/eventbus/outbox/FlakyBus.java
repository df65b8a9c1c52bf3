package dev.eventbus.outbox;

import dev.eventbus.core.EventBusException;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.core.pipeline.EncodedPublisher;
import dev.eventbus.core.pipeline.PublishPipeline;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A bus that fails every send while it is "down", and otherwise sends through the real one. */
final class FlakyBus implements EncodedPublisher {

    private final EncodedPublisher bus;
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger refused = new AtomicInteger();

    FlakyBus(EncodedPublisher bus) {
        this.bus = bus;
    }

    @Override
    public PublishPipeline publishing() {
        return bus.publishing();
    }

    @Override
    public CompletableFuture<Void> publishEncoded(EncodedMessage message) {
        if (down.get()) {
            refused.incrementAndGet();
            return CompletableFuture.failedFuture(new EventBusException(message.describe() + " not sent: the test's bus is down"));
        }
        return bus.publishEncoded(message);
    }
}
