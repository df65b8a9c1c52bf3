package dev.eventbus.examples.pipeline;

import dev.eventbus.core.Message;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.PipelineSchemas;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service {@value #SERVICE}: runs tasks. Every instance is the same service and subscribes the same handler,
 * {@value #HANDLER}, to the {@link TaskCreated} commands the distributor publishes ({@code from("distributor")}), so
 * all instances consume from one queue, {@code <organization>.processor.1.command.task.created.processor}, and each
 * task goes to one of them. For each task it publishes, on {@code <organization>.processor}, {@link TaskStarted},
 * works, then publishes {@link TaskFinished} (legacy instances, version 1) or {@link TaskFinishedV2} (version 2),
 * with ids derived from the task so that a retried task publishes no second copy anyone would count.
 *
 * <p>Failures, to watch retries and dead letters: a task whose object kind is in {@code unsupportedKinds} fails on
 * every attempt (dead-lettered once the retries are used up; deploy a processor that supports it and reprocess the
 * dead letters); one whose kind is in {@code flakyKinds} fails the first time this instance sees it (retried).
 * Both fail before anything is published. Thread-safe.
 */
public final class Processor implements AutoCloseable {

    /** The service name every instance shares, hence the exchange {@code <organization>.processor}. */
    public static final String SERVICE = "processor";
    /** The handler name all instances share, hence their one queue. */
    public static final String HANDLER = "processor";

    private static final Logger log = LoggerFactory.getLogger(Processor.class);

    /**
     * How an instance behaves.
     *
     * @param instance         this instance's name, reported in the events
     * @param finishedVersion  1 (legacy: {@link TaskFinished}) or 2 ({@link TaskFinishedV2})
     * @param unsupportedKinds object kinds it cannot process: every attempt fails
     * @param flakyKinds       object kinds whose first attempt on this instance fails
     * @param work             how long one task takes
     * @param retry            retries of a failed task
     */
    public record Options(String instance, int finishedVersion, Set<String> unsupportedKinds, Set<String> flakyKinds,
                          Duration work, RetryPolicy retry) {
        public Options {
            Objects.requireNonNull(instance, "instance");
            if (finishedVersion != 1 && finishedVersion != 2) {
                throw new IllegalArgumentException("finishedVersion " + finishedVersion + " is not a version of task.finished: use 1 or 2");
            }
            unsupportedKinds = Set.copyOf(unsupportedKinds);
            flakyKinds = Set.copyOf(flakyKinds);
            Objects.requireNonNull(work, "work");
            Objects.requireNonNull(retry, "retry");
        }

        /** A version-2 instance that supports every kind, with 20 ms of work and 3 retries 300 ms apart. */
        public static Options named(String instance) {
            return new Options(instance, 2, Set.of(), Set.of(), Duration.ofMillis(20), RetryPolicy.of(3, Duration.ofMillis(300)));
        }

        /** A copy publishing this version of task.finished. */
        public Options finishedVersion(int version) {
            return new Options(instance, version, unsupportedKinds, flakyKinds, work, retry);
        }

        /** A copy that fails every attempt on objects of these kinds. */
        public Options unsupported(Set<String> kinds) {
            return new Options(instance, finishedVersion, kinds, flakyKinds, work, retry);
        }

        /** A copy that fails the first attempt on objects of these kinds. */
        public Options flaky(Set<String> kinds) {
            return new Options(instance, finishedVersion, unsupportedKinds, kinds, work, retry);
        }
    }

    private final Options options;
    private final RabbitMqEventBus bus;
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();

    private Processor(ServiceBuses buses, Options options) {
        this.options = options;
        this.bus = buses.storedBus(SERVICE, b -> b.validator(PipelineSchemas.validator())
                .subscribe(Subscription.of(TaskCreated.class, HANDLER, this::process)
                        .from(Distributor.SERVICE)
                        .withRetry(options.retry())));
    }

    /**
     * Declares the shared queue (idempotent) and starts consuming it.
     *
     * @throws dev.eventbus.core.EventBusException if the broker cannot be reached
     */
    public static Processor start(ServiceBuses buses, Options options) {
        Processor processor = new Processor(buses, options);
        try {
            processor.bus.admin().configure();
            processor.bus.start();
        } catch (RuntimeException e) {
            processor.close();
            throw e;
        }
        log.info("processor {} consumes tasks, publishing task.finished v{}", options.instance(), options.finishedVersion());
        return processor;
    }

    private void process(Message<TaskCreated> message) throws InterruptedException {
        TaskCreated task = message.payload();
        if (options.unsupportedKinds().contains(task.kind())) {
            failures.incrementAndGet();
            throw new IllegalStateException("processor " + options.instance() + " cannot process objects of kind '" + task.kind()
                    + "' (task " + task.taskId() + "): deploy a processor that supports it, then reprocess the dead letters");
        }
        if (options.flakyKinds().contains(task.kind()) && failedOnce.add(task.taskId())) {
            failures.incrementAndGet();
            throw new IllegalStateException("processor " + options.instance() + " lost its scratch space during task "
                    + task.taskId() + " (transient: retried)");
        }
        bus.publish(MessageIds.message(new TaskStarted(task.taskId(), task.objectId(), options.instance()), task.taskId()));
        long start = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep(options.work().toMillis());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Object done = options.finishedVersion() == 1
                ? new TaskFinished(task.taskId(), task.objectId(), options.instance())
                : new TaskFinishedV2(task.taskId(), task.objectId(), options.instance(), millis);
        bus.publish(MessageIds.message(done, task.taskId()));
        finished.incrementAndGet();
        log.info("processor {} finished task {} in {} ms", options.instance(), task.taskId(), millis);
    }

    /** Tasks this instance finished. */
    public int finished() {
        return finished.get();
    }

    /** Failed attempts on this instance. */
    public int failures() {
        return failures.get();
    }

    /** Stops consuming; running tasks finish first, tasks not started return to the shared queue. */
    @Override
    public void close() {
        bus.stop();
    }
}
