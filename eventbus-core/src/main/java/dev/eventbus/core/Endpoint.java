package dev.eventbus.core;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where one subscription receives messages: its queue, what is bound to it, and the message type it decodes to.
 * Computed by the one {@link Convention#endpoints(Subscription)} for every bus: RabbitMQ declares the queue and its
 * bindings, the in-memory bus routes to it by the same bindings. Immutable.
 *
 * @param subscription the handler
 * @param type         the message type of this queue; {@code null} for store and all-messages handlers, which receive
 *                     every message untyped, and for an {@link Subscription#endpointQueue() endpoint queue}, which
 *                     receives every type of its subscription ({@link #types()})
 * @param queue        the queue name, e.g. {@code alice.petisco.1.event.user_created.send_mail_handler}
 * @param bindings     what routes messages to it (exchange and topic binding key)
 */
public record Endpoint(Subscription subscription, @Nullable MessageType<?> type, String queue, List<Binding> bindings) {

    /**
     * A topic binding: messages published to {@code exchange} with a routing key matching {@code bindingKey}
     * ({@code *} one word, {@code #} zero or more) reach the endpoint's queue.
     *
     * @param exchange   the exchange
     * @param bindingKey the binding key
     */
    public record Binding(String exchange, String bindingKey) {
        public Binding {
            Objects.requireNonNull(exchange, "exchange");
            Objects.requireNonNull(bindingKey, "bindingKey");
        }

        /** Whether a message published to this exchange with this routing key matches the binding. */
        public boolean matches(String publishedTo, String routingKey) {
            return exchange.equals(publishedTo) && TopicPattern.matches(bindingKey, routingKey);
        }
    }

    public Endpoint {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(queue, "queue");
        bindings = List.copyOf(bindings);
    }

    /** The handler's name. */
    public String handlerName() {
        return subscription.handlerName();
    }

    /** Whether this is the vhost's shared store queue. */
    public boolean isStore() {
        return subscription.isStore();
    }

    /** Whether messages reach the handler untyped (store and all-messages handlers). */
    public boolean isUntyped() {
        return subscription.receivesAll();
    }

    /**
     * The message types this queue receives: its {@link #type()}, or every type of an endpoint queue's subscription; empty
     * for an untyped queue.
     */
    public List<MessageType<?>> types() {
        if (type != null) {
            return List.of(type);
        }
        return isUntyped() ? List.of() : subscription.types();
    }

    /** Whether a message published to this exchange with this routing key reaches this queue. */
    public boolean receives(String exchange, String routingKey) {
        for (Binding binding : bindings) {
            if (binding.matches(exchange, routingKey)) {
                return true;
            }
        }
        return false;
    }
}
