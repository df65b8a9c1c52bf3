package dev.eventbus.core;

import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.core.pipeline.IncomingDelivery;
import dev.eventbus.core.pipeline.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observers of one bus, called in order; one that throws is logged (once per observer and method, at WARN) and
 * skipped, so an observer can never fail a publish or a delivery. Immutable and thread-safe.
 */
final class SafeObserver implements EventBusObserver {

    private static final Logger log = LoggerFactory.getLogger(EventBusObserver.class);

    private final List<EventBusObserver> observers;
    private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    SafeObserver(List<EventBusObserver> observers) {
        this.observers = List.copyOf(observers);
    }

    private void each(String method, Consumer<EventBusObserver> call) {
        for (EventBusObserver observer : observers) {
            try {
                call.accept(observer);
            } catch (RuntimeException e) {
                if (warned.add(observer.getClass().getName() + "#" + method)) {
                    log.warn("observer {} failed in {} (ignored; further failures there are not logged): {}",
                            observer.getClass().getName(), method, e.toString());
                }
            }
        }
    }

    @Override
    public Message<?> beforePublish(Message<?> message) {
        Message<?> current = message;
        for (EventBusObserver observer : observers) {
            try {
                current = observer.beforePublish(current);
            } catch (RuntimeException e) {
                if (warned.add(observer.getClass().getName() + "#beforePublish")) {
                    log.warn("observer {} failed in beforePublish (ignored): {}", observer.getClass().getName(), e.toString());
                }
            }
        }
        return current;
    }

    @Override
    public void published(EncodedMessage message) {
        each("published", observer -> observer.published(message));
    }

    @Override
    public void confirmed(EncodedMessage message, Duration latency) {
        each("confirmed", observer -> observer.confirmed(message, latency));
    }

    @Override
    public void publishFailed(EncodedMessage message, Throwable failure) {
        each("publishFailed", observer -> observer.publishFailed(message, failure));
    }

    @Override
    public void returned(EncodedMessage message, Throwable failure) {
        each("returned", observer -> observer.returned(message, failure));
    }

    @Override
    public void received(Endpoint endpoint, IncomingDelivery delivery) {
        each("received", observer -> observer.received(endpoint, delivery));
    }

    @Override
    public Scope handling(Endpoint endpoint, Message<?> message, Delivery delivery) {
        List<Scope> scopes = new ArrayList<>(observers.size());
        each("handling", observer -> scopes.add(observer.handling(endpoint, message, delivery)));
        return () -> {
            for (int i = scopes.size() - 1; i >= 0; i--) {
                try {
                    scopes.get(i).close();
                } catch (RuntimeException e) {
                    log.warn("an observer's handling scope failed to close (ignored): {}", e.toString());
                }
            }
        };
    }

    @Override
    public void delivered(Endpoint endpoint, Outcome outcome, Duration duration) {
        each("delivered", observer -> observer.delivered(endpoint, outcome, duration));
    }

    @Override
    public void consumerChanged(String handler, String queue, HandlerStatus.State state, @Nullable String detail) {
        each("consumerChanged", observer -> observer.consumerChanged(handler, queue, state, detail));
    }

    @Override
    public void connectionChanged(String connection, ConnectionEvent event, @Nullable String detail) {
        each("connectionChanged", observer -> observer.connectionChanged(connection, event, detail));
    }
}
