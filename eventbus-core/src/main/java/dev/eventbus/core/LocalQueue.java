package dev.eventbus.core;

/**
 * One queue of the in-memory bus: a (handler, message type) pair, or a store handler's share of every
 * message (or an all-messages handler's). It has the name the handler's queue would have on a broker, for dead letters. Immutable.
 *
 * @param subscription the handler
 * @param type         the message type routed here; {@code null} for a store or all-messages handler
 * @param routingKey   the routing key bound to this queue; {@code null} for a store handler
 * @param name         the broker queue name, e.g. {@code local.inmemory.1.event.user.created.send_mail_handler}
 */
record LocalQueue(Subscription subscription, MessageType<?> type, String routingKey, String name) {

    /** The store's queue, or an all-messages handler's: it sees every event and command. */
    static LocalQueue everything(Subscription subscription, Convention convention) {
        String name = subscription.isStore() ? Convention.STORE_QUEUE : convention.allMessagesQueue(subscription.handlerName());
        return new LocalQueue(subscription, null, null, name);
    }

    /** The queue of one handler for one type, named by the convention. */
    static LocalQueue of(Subscription subscription, MessageType<?> type, Convention convention) {
        return new LocalQueue(subscription, type, convention.routingKey(type),
                convention.handlerQueue(type, subscription.handlerName()));
    }

    boolean isStore() {
        return type == null;
    }

    /**
     * Whether a message published with this routing key reaches this queue: like a topic-exchange
     * binding, the exact routing key for a handler; {@code *.*.*.event.#} and {@code *.*.*.command.#} for the store.
     */
    boolean accepts(String messageRoutingKey, MessageKind kind) {
        if (isStore()) {
            return kind == MessageKind.DOMAIN_EVENT || kind == MessageKind.COMMAND;
        }
        return routingKey.equals(messageRoutingKey);
    }

    String handlerName() {
        return subscription.handlerName();
    }
}
