package dev.eventbus.core;

/**
 * Publishes events and commands and runs the handlers subscribed to them. Implemented over RabbitMQ
 * ({@code dev.eventbus.rabbitmq.RabbitMqEventBus}) and in memory ({@link InMemoryEventBus}), with the same
 * semantics, which the testkit's contract suite checks on each: routing by organization, service, name, version
 * and kind; one {@link dev.eventbus.core.pipeline.DeliveryPipeline} that decodes, validates, runs the handler and
 * decides the outcome; retries up to a maximum with a delay; then dead letters.
 *
 * <p>Roles: {@link EventPublisher} for code that only publishes; this interface for the service that also consumes;
 * {@link #admin()} for declaring and clearing queues, delivering to one queue and dead letters.
 *
 * <p>Implementations are thread-safe: any number of threads may publish at once.
 */
public interface EventBus extends EventPublisher, AutoCloseable {

    /**
     * Adds a handler. Before {@link #start()} it starts with the others; after, at once.
     *
     * @throws ConfigurationException if a handler of that name is subscribed already
     */
    void subscribe(Subscription subscription);

    /** Starts delivering messages to the subscribed handlers. Calling it again does nothing. */
    void start();

    /**
     * Pauses one handler: it gets no new message until {@link #resume(String)}; its messages wait (on RabbitMQ in its
     * queue). A message it is handling finishes. Pausing a paused handler does nothing.
     *
     * @throws ConfigurationException if no handler of that name is subscribed
     */
    void pause(String handlerName);

    /**
     * Delivers to a handler paused by {@link #pause(String)} again, starting with the messages that waited.
     *
     * @throws ConfigurationException if no handler of that name is subscribed
     */
    void resume(String handlerName);

    /**
     * Whether the bus can do its work: its connections (on RabbitMQ) and each handler. Never throws; cheap enough for a
     * health endpoint polled every few seconds.
     */
    BusHealth health();

    /** The administration view: declaring and clearing queues, delivering to one handler queue, dead letters. */
    EventBusAdmin admin();

    /**
     * Stops delivering, lets handlers that are running finish, then releases resources. Messages not yet handled stay
     * queued (RabbitMQ) or are dropped with a warning (in memory). Idempotent.
     */
    void stop();

    /** Same as {@link #stop()}. */
    @Override
    default void close() {
        stop();
    }
}
