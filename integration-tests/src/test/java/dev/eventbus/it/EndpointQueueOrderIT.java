package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Event;
import dev.eventbus.core.Message;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Issue 20's ordering test: a board of tasks that refuses a completion of a task it never saw created (as the user's
 * service did, dead-lettering 335 completions after a restart under load) handles every pair in order on an endpoint
 * queue, across a restart of its consumer in the middle of the stream.
 */
@RabbitMqTest
class EndpointQueueOrderIT {

    private static final int TASKS = 1_000;
    /** A completion is published this many creations after its task's creation, so the two types interleave. */
    private static final int LAG = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** A task was created. */
    record TaskCreated(String taskId) implements Event {
    }

    /** A task was completed; only a task the board knows can be. */
    record TaskCompleted(String taskId) implements Event {
    }

    /** The consumer's view: created or completed per task, and what it refused. Thread-safe. */
    static final class TaskBoard {
        final Map<String, String> states = new ConcurrentHashMap<>();
        final List<String> refused = new CopyOnWriteArrayList<>();
        final AtomicInteger handled = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();

        void apply(Message<Event> message) {
            handled.incrementAndGet();
            if (message.payload() instanceof TaskCreated created) {
                if (states.putIfAbsent(created.taskId(), "created") != null) {
                    duplicates.incrementAndGet(); // a redelivery after the restart: already known
                }
                return;
            }
            String taskId = ((TaskCompleted) message.payload()).taskId();
            String before = states.replace(taskId, "completed");
            if (before == null) {
                refused.add(taskId);
                throw new NonRetryableException("unknown task " + taskId + ": completed before it was created");
            }
            if (before.equals("completed")) {
                duplicates.incrementAndGet();
            }
        }

        long completed() {
            return states.values().stream().filter("completed"::equals).count();
        }
    }

    /** Created i, then completed i - LAG, ..., then the last completions: 2 000 events, each task's pair in order. */
    private static List<Event> interleavedPairs() {
        List<Event> events = new ArrayList<>(2 * TASKS);
        for (int i = 0; i < TASKS + LAG; i++) {
            if (i < TASKS) {
                events.add(new TaskCreated("t-" + i));
            }
            if (i >= LAG) {
                events.add(new TaskCompleted("t-" + (i - LAG)));
            }
        }
        return events;
    }

    @Test
    void everyPairIsHandledInOrderAcrossARestartOfTheConsumerWithNoDeadLetter(TestBroker broker) throws Exception {
        TaskBoard board = new TaskBoard();
        // tag::endpoint-queue[]
        Subscription taskBoard = Subscription.of("task_board", board::apply, TaskCompleted.class, TaskCreated.class)
                .endpointQueue();   // one queue, <org>.<service>.endpoint.task_board, bound to both routing keys
        // end::endpoint-queue[]
        // (completions named first: on one queue that changes nothing; with a queue per type, the completions' consumer
        // would start first after the restart and take its prefetch of completions ahead of their creations)
        String queue = broker.convention().endpointQueue("task_board");
        // one handler thread: one message of the queue at a time; no petisco TTL, nothing expires while no consumer runs
        RabbitMqEventBus publisher = broker.bus(b -> b);
        RabbitMqEventBus first = broker.bus(b -> b.consumerThreads(1).handlerQueueTtl(null).subscribe(taskBoard));
        first.admin().configure();
        first.start();

        List<Event> events = interleavedPairs();
        AtomicInteger published = new AtomicInteger();
        ExecutorService publishing = Executors.newSingleThreadExecutor();
        Future<?> stream = publishing.submit(() -> {
            for (Event event : events) {
                publisher.publish(event); // confirmed when it returns
                published.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500)); // a steady stream, not one burst
            }
        });
        try {
            Await.until("the first consumer handled a third of the stream", TIMEOUT,
                    () -> board.handled.get() >= events.size() / 3, () -> board.handled + " handled");
            first.stop(); // mid-stream: what it had prefetched and not settled goes back to the queue
            int handledByFirst = board.handled.get();
            Await.until("a backlog while no consumer runs", TIMEOUT,
                    () -> published.get() >= handledByFirst + 300 || stream.isDone(), () -> published + " published");

            RabbitMqEventBus second = broker.bus(b -> b.consumerThreads(1).handlerQueueTtl(null).subscribe(taskBoard));
            second.start();
            stream.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Await.until("every task completed", TIMEOUT, () -> board.completed() == TASKS || !board.refused.isEmpty(),
                    () -> board.completed() + " of " + TASKS + " completed, refused " + board.refused);
            System.out.printf("ordering endpoint queue: published %d  handled %d (first consumer %d)  duplicates %d  "
                            + "refused %d  dead letters %d%n", published.get(), board.handled.get(), handledByFirst,
                    board.duplicates.get(), board.refused.size(), second.admin().deadLetters().count(queue));

            assertEquals(0, board.refused.size(), () -> "every completion should arrive after its creation, but "
                    + board.refused.size() + " did not, the first " + board.refused.stream().limit(10).toList());
            assertEquals(0, second.admin().deadLetters().count(queue), "nothing dead-lettered");
            assertEquals(TASKS, board.completed());
            assertTrue(handledByFirst < events.size() && handledByFirst > 0,
                    () -> "the restart happened mid-stream, after " + handledByFirst + " of " + events.size());
            second.stop();
        } finally {
            publishing.shutdownNow();
        }
    }

    /**
     * Why per-type queues lose the order: the broker splits the same interleaved stream into two queues, each in order
     * of its own type, with nothing that relates one to the other, so a consumer of both (or a restart under load, when
     * both have a backlog) sees a completion as soon as its queue delivers it, whatever its creation's queue holds. The
     * endpoint queue holds the one stream, in publish order.
     */
    @Test
    void perTypeQueuesSplitTheStreamWhileTheEndpointQueueHoldsItInPublishOrder(TestBroker broker) throws Exception {
        Subscription perType = Subscription.of("per_type_board", (Message<Event> m) -> { }, TaskCreated.class,
                TaskCompleted.class);
        Subscription endpoint = Subscription.of("task_board", (Message<Event> m) -> { }, TaskCreated.class,
                TaskCompleted.class).endpointQueue();
        RabbitMqEventBus bus = broker.bus(b -> b.handlerQueueTtl(null).subscribe(perType, endpoint));
        bus.admin().configure(); // queues and bindings, no consumer: the stream waits in the queues
        List<Event> events = interleavedPairs();
        bus.publish(events);
        List<String> published = events.stream().map(TaskEvents::describe).toList();

        List<String> createdQueue = TaskEvents.drain(broker, bus, bus.convention().handlerQueue(
                dev.eventbus.core.MessageType.of(TaskCreated.class), "per_type_board"), events.size());
        List<String> completedQueue = TaskEvents.drain(broker, bus, bus.convention().handlerQueue(
                dev.eventbus.core.MessageType.of(TaskCompleted.class), "per_type_board"), events.size());
        List<String> endpointQueue = TaskEvents.drain(broker, bus, bus.convention().endpointQueue("task_board"), events.size());

        assertEquals(published.stream().filter(e -> e.startsWith("created")).toList(), createdQueue,
                "the created queue holds only creations");
        assertEquals(published.stream().filter(e -> e.startsWith("completed")).toList(), completedQueue,
                "the completed queue holds only completions, ahead of creations it knows nothing of");
        assertEquals(published, endpointQueue, "the endpoint queue holds the stream as it was published");
    }

    /** Reading what a queue holds. */
    static final class TaskEvents {
        private TaskEvents() {
        }

        static String describe(Event event) {
            return event instanceof TaskCreated created ? "created " + created.taskId()
                    : "completed " + ((TaskCompleted) event).taskId();
        }

        /** Takes (acknowledging) every message of the queue, up to max, and describes them in queue order. */
        static List<String> drain(TestBroker broker, RabbitMqEventBus bus, String queue, int max) throws Exception {
            List<String> held = new ArrayList<>();
            try (com.rabbitmq.client.Connection connection = broker.newConnection();
                 com.rabbitmq.client.Channel channel = connection.createChannel()) {
                for (com.rabbitmq.client.GetResponse response = channel.basicGet(queue, true);
                     response != null && held.size() < max; response = channel.basicGet(queue, true)) {
                    held.add(describe((Event) bus.codec().decode(response.getBody()).payload()));
                }
            }
            return held;
        }
    }
}
