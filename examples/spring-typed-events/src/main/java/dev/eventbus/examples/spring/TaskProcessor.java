package dev.eventbus.examples.spring;

import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.spring.boot.EventHandler;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs tasks: the handler {@code processor} of the service {@code processor}, on the {@link TaskCreated} commands the
 * distributor publishes. Every instance subscribes the same handler, so all consume one queue,
 * {@code <organization>.processor.1.command.task_created.processor}. For each task it publishes {@link TaskStarted},
 * works, then {@link TaskFinishedV2} (or {@link TaskFinished} with {@code processor.finished-version=1}), with ids
 * derived from the task so that a retried task publishes no second copy anyone would count. Its retry policy is in
 * {@code application.yml} ({@code eventbus.handlers.processor.retry}). Thread-safe: the bus may run it on several
 * handler threads at once.
 */
@Component
public class TaskProcessor {

    private static final Logger log = LoggerFactory.getLogger(TaskProcessor.class);

    private final EventPublisher events;
    private final ProcessorSettings settings;
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();

    TaskProcessor(EventPublisher events, ProcessorSettings settings) {
        this.events = events;
        this.settings = settings;
    }

    /** One task: fails before publishing anything, so that a retry publishes each event once. */
    @EventHandler(name = "processor", from = "distributor")
    void process(Message<TaskCreated> message) throws InterruptedException {
        TaskCreated task = message.payload();
        if (settings.unsupportedKinds().contains(task.kind())) {
            failures.incrementAndGet();
            throw new IllegalStateException("processor " + settings.instance() + " cannot process objects of kind '" + task.kind()
                    + "' (task " + task.taskId() + "): deploy a processor that supports it, then reprocess the dead letters");
        }
        if (settings.flakyKinds().contains(task.kind()) && failedOnce.add(task.taskId())) {
            failures.incrementAndGet();
            throw new IllegalStateException("processor " + settings.instance() + " lost its scratch space during task "
                    + task.taskId() + " (transient: retried)");
        }
        events.publish(derivedId(new TaskStarted(task.taskId(), task.objectId(), settings.instance()), task.taskId()));
        long start = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep(settings.work().toMillis());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Object done = settings.finishedVersion() == 1
                ? new TaskFinished(task.taskId(), task.objectId(), settings.instance())
                : new TaskFinishedV2(task.taskId(), task.objectId(), settings.instance(), millis);
        events.publish(derivedId(done, task.taskId()));
        finished.incrementAndGet();
        log.info("processor {} finished task {} in {} ms", settings.instance(), task.taskId(), millis);
    }

    /** Tasks this instance finished. */
    public int finished() {
        return finished.get();
    }

    /** Failed attempts on this instance. */
    public int failures() {
        return failures.get();
    }

    /** A message whose id is a name-based UUID of its name, version and the task: the same for every retry. */
    private static <T> Message<T> derivedId(T payload, String taskId) {
        @SuppressWarnings("unchecked")
        MessageType<T> type = MessageType.of((Class<T>) payload.getClass());
        Message<T> fresh = Message.of(type, payload);
        String id = UUID.nameUUIDFromBytes((type.name() + "/" + type.version() + "/" + taskId).getBytes(StandardCharsets.UTF_8))
                .toString();
        return new Message<>(id, fresh.name(), fresh.version(), fresh.kind(), fresh.occurredOn(), payload, fresh.meta());
    }
}
