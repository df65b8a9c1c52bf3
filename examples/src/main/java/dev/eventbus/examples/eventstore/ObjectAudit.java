package dev.eventbus.examples.eventstore;

import dev.eventbus.core.EventBusException;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.pipeline.Datagen;
import dev.eventbus.examples.pipeline.ObjectCreated;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service {@value #SERVICE}, a subscriber that can go away and come back: it audits every {@link ObjectCreated}
 * that datagen publishes (handler {@value #HANDLER}, {@code from("datagen")}), and hears the event store's
 * {@link ReplayCompleted} (handler {@value #REPLAYS_HANDLER}, {@code from("eventstore")}).
 * {@link #leave()} stops it and deletes its queue, so what is published meanwhile is not kept for it;
 * {@link #rejoin()} declares the queue again, consumes live at once, and asks the event store to replay what came
 * after the last message it handled. Live and replayed copies of one message meet at the boundary: it drops every
 * message id it has handled already, so it handles each object once and misses none.
 *
 * <p>Thread-safe. Its bus has one handler thread, so the last message handled is the latest in publish order.
 */
public final class ObjectAudit implements AutoCloseable {

    /** The service name, hence the exchange {@code <organization>.audit}, where it publishes {@link ReplayRequested}. */
    public static final String SERVICE = "audit";
    /** The handler of {@link ObjectCreated}: queue {@code <organization>.audit.1.event.object_created.object_audit}. */
    public static final String HANDLER = "object_audit";
    /** The handler that hears when the store finished a replay. */
    public static final String REPLAYS_HANDLER = "object_audit_replays";

    private static final Logger log = LoggerFactory.getLogger(ObjectAudit.class);

    private final ServiceBuses buses;
    private final Set<String> handledIds = ConcurrentHashMap.newKeySet();
    private final List<String> objects = new CopyOnWriteArrayList<>();
    private final Map<String, ReplayCompleted> replays = new ConcurrentHashMap<>();
    private final AtomicInteger duplicates = new AtomicInteger();
    private volatile String lastMessageId;
    private volatile RabbitMqEventBus bus;
    private volatile String queue;

    private ObjectAudit(ServiceBuses buses) {
        this.buses = buses;
    }

    /**
     * Declares its queues and starts consuming.
     *
     * @throws EventBusException if the broker cannot be reached
     */
    public static ObjectAudit start(ServiceBuses buses) {
        ObjectAudit audit = new ObjectAudit(buses);
        audit.join();
        return audit;
    }

    private synchronized void join() {
        // its exchange feeds the store queue, so that its ReplayRequested reaches the event store behind every object
        // published before it
        RabbitMqEventBus joined = buses.storedBus(SERVICE, b -> b.validator(PipelineSchemas.validator())
                .consumerThreads(1)
                .subscribe(Subscription.of(ObjectCreated.class, HANDLER, this::audit).from(Datagen.SERVICE),
                        Subscription.of(ReplayCompleted.class, REPLAYS_HANDLER, this::replayed).from(EventStoreService.SERVICE)));
        queue = joined.convention().handlerQueue(MessageType.of(ObjectCreated.class), HANDLER);
        try {
            joined.admin().configure();
            joined.start();
        } catch (RuntimeException e) {
            joined.stop();
            throw e;
        }
        bus = joined;
    }

    private void audit(Message<ObjectCreated> message) {
        if (!handledIds.add(message.id())) {
            duplicates.incrementAndGet();
            return;
        }
        objects.add(message.payload().objectId());
        lastMessageId = message.id();
    }

    private void replayed(Message<ReplayCompleted> message) {
        ReplayCompleted done = message.payload();
        if (done.handlerQueue().equals(queue())) {
            replays.put(done.requestId(), done);
            log.info("caught up: the event store replayed {} messages (offsets {} to {})", done.replayed(), done.fromOffset(),
                    done.lastOffset());
        }
    }

    /** The queue of {@link #HANDLER}: what a replay is sent to. */
    public String queue() {
        return queue;
    }

    /**
     * Goes away: stops consuming, deletes the queues of its {@link ObjectCreated} handler only
     * ({@code clearHandler}: handler, retry and dead-letter queue), so nothing is kept for it meanwhile, and stops its bus.
     *
     * @throws EventBusException if the queue cannot be deleted
     */
    public synchronized void leave() {
        bus.pause(HANDLER);
        bus.admin().clearHandler(HANDLER);
        bus.stop();
        log.info("object audit left: queue {} deleted after {} objects", queue, objects.size());
    }

    /**
     * Comes back: declares its queues again, consumes live, and asks the event store to replay every
     * {@link ObjectCreated} after the last one it handled (all of them if it handled none).
     *
     * @return the id of the replay request, to await its {@link ReplayCompleted} with {@link #replay(String)}
     * @throws EventBusException if the broker cannot be reached or the request not published
     */
    public synchronized String rejoin() {
        join();
        return requestReplay();
    }

    /**
     * Asks the event store to replay every {@link ObjectCreated} after the last one handled (all if none).
     *
     * @return the request's message id
     */
    public String requestReplay() {
        MessageType<ObjectCreated> type = MessageType.of(ObjectCreated.class);
        Message<ReplayRequested> request = Message.of(new ReplayRequested(queue(), type.name(), type.version(), 1, lastMessageId));
        bus.publish(request);
        log.info("asked the event store to replay {} after message {}", queue(), lastMessageId);
        return request.id();
    }

    /** The store's answer to a replay request, once it arrived. */
    public Optional<ReplayCompleted> replay(String requestId) {
        return Optional.ofNullable(replays.get(requestId));
    }

    /** The object ids audited, in the order handled, each once. */
    public List<String> objects() {
        return List.copyOf(objects);
    }

    /** Messages dropped because their id was handled already (live and replayed copies of one message). */
    public int duplicates() {
        return duplicates.get();
    }

    /** Stops consuming. */
    @Override
    public synchronized void close() {
        bus.stop();
    }
}
