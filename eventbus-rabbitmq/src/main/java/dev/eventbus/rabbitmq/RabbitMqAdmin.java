package dev.eventbus.rabbitmq;

import dev.eventbus.rabbitmq.internal.topology.RabbitMqConfigurer;

import com.rabbitmq.client.AMQP;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBusAdmin;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.EventBusStoppedException;
import dev.eventbus.rabbitmq.internal.publishing.Confirms;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The administration view of a {@link RabbitMqEventBus}: declare and clear its topology, deliver to one handler
 * queue, run the dead-letter desk ({@link RabbitMqDeadLetters}), and see the {@link Topology} as a value. Obtained from
 * {@link RabbitMqEventBus#admin()}; uses the bus's publishing connection (opened on first use). Thread-safe.
 */
public final class RabbitMqAdmin implements EventBusAdmin {

    private final RabbitMqEventBus bus;

    RabbitMqAdmin(RabbitMqEventBus bus) {
        this.bus = bus;
    }

    /** The exchanges, queues and bindings {@link #configure()} declares for the bus's current subscriptions. */
    public Topology topology() {
        return Topology.plan(bus.convention(), bus.subscriptions(), bus.topologyOptions());
    }

    /**
     * The queues {@link #configure()} declares for the bus's {@link dev.eventbus.core.Subscription#stream stream}
     * subscriptions, beside {@link #topology()}: each stream read ({@code org.service.stream}) and each stream handler's
     * dead-letter queue ({@code dead_letter.org.service.stream.handler}). {@link #clear()} leaves them: a stream is
     * shared by its subscribers and holds history no one can publish again.
     */
    public java.util.List<String> streamQueues() {
        return bus.streams().queues();
    }

    /**
     * Declares the topology of the bus's current subscriptions on the broker. Idempotent. Blocks until declared.
     *
     * @throws TopologyConflictException  if a queue or exchange exists with other arguments
     * @throws BrokerUnavailableException if no broker can be reached
     */
    @Override
    public void configure() {
        new RabbitMqConfigurer(bus.publisherConnection()).declare(topology());
        bus.streams().declare(bus.publisherConnection()); // stream subscriptions: their streams, bindings, dead letters
    }

    /**
     * Deletes the queues (with their messages) and exchanges {@link #configure()} declares, except the shared store's.
     *
     * @throws EventBusException if handlers are consuming: the bus would restore the queues it lost; stop it first
     */
    @Override
    public void clear() {
        if (bus.consumers().consuming(null)) {
            throw new EventBusException("cannot clear the topology of " + bus.convention().mainExchange() + " while its "
                    + "handlers consume (they would declare their queues again): stop() the bus, or pause every handler, first");
        }
        new RabbitMqConfigurer(bus.publisherConnection()).clear(topology());
    }

    /**
     * Deletes the queues of one handler (its handler, retry and dead-letter queues, with their messages), leaving the
     * exchanges and every other handler's queues. Pause the handler first; {@link RabbitMqEventBus#resume} declares its
     * queues again.
     *
     * @throws ConfigurationException if no handler of that name is subscribed
     * @throws EventBusException      if the handler is consuming
     */
    @Override
    public void clearHandler(String handlerName) {
        Topology handlerOnly = bus.consumers().topologyOf(bus.consumers().subscription(handlerName));
        if (bus.consumers().consuming(handlerName)) {
            throw new EventBusException("cannot clear the queues of handler " + handlerName + " while it consumes: "
                    + "pause(\"" + handlerName + "\") it first");
        }
        new RabbitMqConfigurer(bus.publisherConnection()).clear(new Topology(List.of(), handlerOnly.queues(), List.of()));
    }

    /**
     * Publishes a message body, as it is, to one handler queue only (through the main exchange of the service the queue
     * belongs to, with the queue's {@code retry.<queue>} key, which nothing else is bound to), and returns once the broker
     * confirmed it. The queue may be another service's. It counts as a first attempt, and carries petisco's {@code queue}
     * header so that a petisco consumer of the queue can retry it.
     *
     * @param handlerQueue the queue, e.g. {@code bus.convention().handlerQueue(type, "audit")}
     * @throws UnroutableMessageException   if no such queue is bound (not configured)
     * @throws PublishNotConfirmedException if the broker did not confirm it
     */
    @Override
    public void deliverTo(String handlerQueue, byte[] body) {
        Objects.requireNonNull(body, "body");
        bus.publisher().publish(exchangeOf(handlerQueue), bus.convention().retryRoutingKey(handlerQueue), true,
                deliveryProperties(handlerQueue), body, "a message delivered to " + handlerQueue);
    }

    /**
     * {@link #deliverTo(String, byte[]) Delivers} several bodies, in this order (on one channel, so the queue gets them in
     * order), all in flight at once, and returns once all are confirmed. Those caught by a connection loss or a channel
     * error are published again, one by one, after the others: order holds only without faults.
     *
     * @throws PublishException the first that failed, the others suppressed; the rest were delivered
     */
    @Override
    public void deliverTo(String handlerQueue, List<byte[]> bodies) {
        String exchange = exchangeOf(handlerQueue);
        String routingKey = bus.convention().retryRoutingKey(handlerQueue);
        bodies.forEach(body -> Objects.requireNonNull(body, "body"));
        List<CompletableFuture<Void>> confirms = bus.publisher().publishInOrder(exchange, routingKey, true,
                deliveryProperties(handlerQueue), bodies, "a message delivered to " + handlerQueue);
        Confirms.awaitAll(confirms, i -> deliverTo(handlerQueue, bodies.get(i)),
                i -> "message " + i + " delivered to " + handlerQueue);
    }

    /**
     * The dead-letter desk of the bus's handlers (and of any handler queue named in a filter): list, show, replay, move,
     * discard and purge.
     */
    @Override
    public RabbitMqDeadLetters deadLetters() {
        return new RabbitMqDeadLetters(bus.publisherConnection(), bus.convention(), () -> {
            if (bus.isStopped()) {
                throw new EventBusStoppedException("dead letters cannot be replayed or moved through a stopped bus: use the "
                        + "admin view of a bus that is not stopped (it need not be started)");
            }
            return bus.publisher();
        }, () -> topology().queues().stream().map(Topology.Queue::name).filter(name -> name.startsWith("dead_letter."))
                .map(name -> name.substring("dead_letter.".length())).toList());
    }

    /** The main exchange of the service a handler queue belongs to: the first two parts of its name. */
    private String exchangeOf(String handlerQueue) {
        Objects.requireNonNull(handlerQueue, "handlerQueue");
        if (bus.isStopped()) {
            throw new EventBusStoppedException("a message was not delivered to " + handlerQueue + ": the bus is stopped");
        }
        return exchangeOfQueue(handlerQueue);
    }

    /**
     * The main exchange of the service a handler queue belongs to: the first two parts of its name.
     *
     * @throws ConfigurationException if the name is not a handler queue's
     */
    static String exchangeOfQueue(String handlerQueue) {
        String[] parts = handlerQueue.split("\\.", 3);
        if (parts.length < 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new ConfigurationException("'" + handlerQueue + "' is not a handler queue name (<organization>.<service>...."
                    + "<handler>): take it from convention().handlerQueue(type, handler)");
        }
        return parts[0] + "." + parts[1];
    }

    /**
     * A message sent straight to a handler queue carries petisco's {@code queue} header, and only that: a petisco
     * consumer of the queue retries under {@code retry.<queue>} when it has one, and otherwise derives the queue from
     * the routing key ({@code retry.<queue>} here), a name nothing is bound to, and loses the message at its first
     * failure.
     */
    private AMQP.BasicProperties deliveryProperties(String handlerQueue) {
        Convention convention = bus.convention();
        return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).appId(convention.service())
                .headers(java.util.Map.of(Headers.PETISCO_QUEUE, handlerQueue)).build();
    }
}
