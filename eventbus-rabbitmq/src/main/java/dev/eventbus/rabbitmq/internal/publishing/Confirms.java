package dev.eventbus.rabbitmq.internal.publishing;

import dev.eventbus.core.EventBusException;
import dev.eventbus.rabbitmq.PublishException;
import dev.eventbus.rabbitmq.PublishNotConfirmedException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/** Waiting for the confirms of several messages published at once. Stateless. */
public final class Confirms {

    private Confirms() {
    }

    /**
     * Waits for every confirm; a message unconfirmed because the connection dropped or another message's channel error
     * closed its channel is published again the way a single blocking publish recovers.
     *
     * @throws EventBusException the first failure, the others suppressed
     */
    public static void awaitAll(List<CompletableFuture<Void>> confirms, IntConsumer publishAgain, IntFunction<String> describe) {
        EventBusException first = null;
        for (int i = 0; i < confirms.size(); i++) {
            try {
                confirms.get(i).join();
            } catch (CompletionException e) {
                EventBusException failure;
                if (e.getCause() instanceof PublishNotConfirmedException lost && (lost.connectionLost() || lost.channelClosed())) {
                    try {
                        publishAgain.accept(i);
                        continue;
                    } catch (EventBusException again) {
                        failure = again;
                    }
                } else {
                    failure = e.getCause() instanceof EventBusException ebe ? ebe
                            : new PublishException(describe.apply(i) + " failed: " + e.getCause(), e.getCause());
                }
                if (first == null) {
                    first = failure;
                } else {
                    first.addSuppressed(failure);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
