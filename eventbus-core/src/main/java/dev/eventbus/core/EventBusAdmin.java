package dev.eventbus.core;

import java.util.List;

/**
 * Administration of a bus's queues: what deployment steps, operators and tests do, kept apart from publishing and
 * consuming. Obtained from {@link EventBus#admin()}. Thread-safe.
 */
public interface EventBusAdmin {

    /**
     * Declares the queues, exchanges and bindings of the bus's subscriptions. Idempotent; blocks until declared. In
     * memory there is nothing to declare.
     *
     * @throws EventBusException if the broker has them with other arguments, or cannot be reached
     */
    void configure();

    /**
     * Deletes the queues (with their messages) and exchanges {@link #configure()} declares, except those other services
     * share (the store's). Refused while handlers consume: the bus would otherwise declare them again.
     *
     * @throws EventBusException if a handler is consuming: {@link EventBus#stop()} the bus (or pause every handler)
     *                           first
     */
    void clear();

    /**
     * Deletes one handler's queues (handler, retry and dead-letter queues, with their messages). Pause the handler first;
     * {@link EventBus#resume(String)} declares its queues again.
     *
     * @throws ConfigurationException if no handler of that name is subscribed
     * @throws EventBusException      if the handler is consuming (pause it first)
     */
    void clearHandler(String handlerName);

    /**
     * Sends a message body, as it is, to one handler queue only (any service's), and returns once accepted. For replaying
     * stored messages to a handler that missed them, or moving messages between queues. It counts as a first attempt.
     *
     * @param handlerQueue the queue, e.g. {@code convention.handlerQueue(type, "audit")}
     * @throws EventBusException if no such queue exists, or it was not accepted
     */
    void deliverTo(String handlerQueue, byte[] body);

    /** {@link #deliverTo(String, byte[]) Delivers} several bodies in this order; returns once all are accepted. */
    void deliverTo(String handlerQueue, List<byte[]> bodies);

    /** The dead letters of the bus's handlers. */
    DeadLetters deadLetters();
}
