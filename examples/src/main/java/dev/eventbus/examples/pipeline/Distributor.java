package dev.eventbus.examples.pipeline;

import dev.eventbus.core.Message;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service {@value #SERVICE}: turns each {@link ObjectCreated} that datagen publishes into
 * {@value #TASKS_PER_OBJECT} {@link TaskCreated} commands for the processors, published on its own exchange
 * {@code <organization>.distributor}. Task ids and message ids are derived from the object id, so a retried or
 * redelivered object yields the same commands again, which consumers drop by id. Handler {@value #HANDLER},
 * subscribed {@code from("datagen")}. Thread-safe.
 */
public final class Distributor implements AutoCloseable {

    /** Tasks per object. */
    public static final int TASKS_PER_OBJECT = 3;
    /** The service name, hence the exchange {@code <organization>.distributor}. */
    public static final String SERVICE = "distributor";
    /**
     * The handler name, hence the queue {@code <organization>.distributor.1.event.object_created.distributor}, bound to
     * datagen's exchange with datagen's routing key {@code <organization>.datagen.1.event.object_created}.
     */
    public static final String HANDLER = "distributor";
    /** Retries of an object whose tasks could not be published. */
    public static final RetryPolicy RETRY = RetryPolicy.of(3, Duration.ofMillis(500));

    private static final Logger log = LoggerFactory.getLogger(Distributor.class);

    private final RabbitMqEventBus bus;
    private final AtomicInteger distributed = new AtomicInteger();

    private Distributor(ServiceBuses buses) {
        this.bus = buses.storedBus(SERVICE, b -> b.validator(PipelineSchemas.validator())
                .subscribe(Subscription.of(ObjectCreated.class, HANDLER, this::distribute)
                        .from(Datagen.SERVICE)
                        .withRetry(RETRY)));
    }

    /**
     * Declares its queues and starts consuming.
     *
     * @throws dev.eventbus.core.EventBusException if the broker cannot be reached
     */
    public static Distributor start(ServiceBuses buses) {
        Distributor distributor = new Distributor(buses);
        try {
            distributor.bus.admin().configure();
            distributor.bus.start();
        } catch (RuntimeException e) {
            distributor.close();
            throw e;
        }
        return distributor;
    }

    private void distribute(Message<ObjectCreated> message) {
        ObjectCreated object = message.payload();
        List<Message<TaskCreated>> tasks = new ArrayList<>(TASKS_PER_OBJECT);
        for (int step = 1; step <= TASKS_PER_OBJECT; step++) {
            String taskId = object.objectId() + "-" + step;
            tasks.add(MessageIds.message(new TaskCreated(taskId, object.objectId(), object.kind(), step), taskId));
        }
        bus.publish(tasks);
        distributed.incrementAndGet();
        log.info("object {} ({}): {} tasks sent to the processors", object.objectId(), object.kind(), TASKS_PER_OBJECT);
    }

    /** Objects turned into tasks so far (a redelivered object counts again). */
    public int distributed() {
        return distributed.get();
    }

    /** Stops consuming; a running handler finishes first. */
    @Override
    public void close() {
        bus.stop();
    }
}
