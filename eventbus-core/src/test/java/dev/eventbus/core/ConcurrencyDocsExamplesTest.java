package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The snippets of docs/concurrency.md, compiled and checked here. */
class ConcurrencyDocsExamplesTest {

    record TaskCreated(String taskId, String title) implements Event {
    }

    record TaskCompleted(String taskId) implements Event {
    }

    interface Task {
    }

    private static void call(Object payload) {
    }

    @Test
    void concurrencyOrderingAndSingleActiveConsumer() {
        // tag::concurrency[]
        // up to 16 deliveries of this handler at once, on threads of its own (none while idle)
        Subscription mail = Subscription.of(TaskCreated.class, "send_mail", message -> call(message.payload()))
                .withConcurrency(16);
        // end::concurrency[]
        // tag::ordered[]
        // one task's events one at a time, in order; different tasks on 16 threads
        Subscription tracker = Subscription.of("track_task", (Message<Event> message) -> call(message.payload()),
                        TaskCreated.class, TaskCompleted.class)
                .orderedBy(OrderingKey.attribute("task_id"))
                .withConcurrency(16);
        // or by a meta entry, or a function of the message (attributes as a map)
        OrderingKey byTenant = OrderingKey.meta("tenant");
        OrderingKey byTaskAndType = OrderingKey.of(message -> message.payload().get("task_id") + "/" + message.name());
        // end::ordered[]
        // tag::single-active[]
        // every replica consumes the queue; the broker delivers to one at a time and hands over when it goes
        Subscription ledger = Subscription.of(TaskCompleted.class, "post_ledger", message -> call(message.payload()))
                .withSingleActiveConsumer();
        // end::single-active[]
        assertEquals(16, mail.concurrency().orElseThrow());
        assertTrue(tracker.orderingKey().isPresent());
        assertTrue(ledger.singleActiveConsumer());
        assertTrue(byTenant.toString().contains("tenant") && byTaskAndType.toString().contains("function"));
    }
}
