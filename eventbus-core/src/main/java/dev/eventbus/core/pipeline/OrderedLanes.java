package dev.eventbus.core.pipeline;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time per key, in the order they were submitted, and tasks of different keys in parallel on an
 * executor: what an ordered subscription ({@link dev.eventbus.core.Subscription#orderedBy}) runs its deliveries on.
 * A task holds its key until the stage it returns completes, so a delivery that waits for a retry (off any thread) keeps
 * the later messages of its key waiting while other keys go on.
 *
 * <p>Thread-safe; the lanes are guarded by {@code this}, held only to queue and dequeue (never while a task runs). Memory
 * is one entry per key with work, so it is bounded by what the transport hands over (its prefetch).
 */
public final class OrderedLanes {

    /** One unit of work of a key. */
    public interface Task {
        /** Runs on the executor; the key is free for its next task once the returned stage completes. */
        CompletionStage<?> run();

        /** The executor refused it (it is shutting down): the task must give its delivery back. Called instead of run. */
        void reject();
    }

    private final Executor executor;
    private final Map<String, ArrayDeque<Task>> lanes = new HashMap<>();

    /** @param executor runs the tasks; its thread count bounds how many keys progress at once */
    public OrderedLanes(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** Runs the task after every earlier task of its key completed, or at once on the executor if there is none. */
    public void submit(String key, Task task) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(task, "task");
        synchronized (this) {
            ArrayDeque<Task> waiting = lanes.get(key);
            if (waiting != null) {
                waiting.addLast(task);
                return;
            }
            lanes.put(key, new ArrayDeque<>());
        }
        execute(key, task);
    }

    /** How many keys have a task running or waiting. */
    public synchronized int activeKeys() {
        return lanes.size();
    }

    private void execute(String key, Task task) {
        try {
            executor.execute(() -> {
                CompletionStage<?> done;
                try {
                    done = task.run();
                } catch (RuntimeException | Error e) {
                    next(key);
                    throw e;
                }
                done.whenComplete((result, failure) -> next(key));
            });
        } catch (RejectedExecutionException stopping) {
            rejectAll(key, task);
        }
    }

    private void next(String key) {
        Task following;
        synchronized (this) {
            ArrayDeque<Task> waiting = lanes.get(key);
            following = waiting == null ? null : waiting.pollFirst();
            if (following == null) {
                lanes.remove(key);
                return;
            }
        }
        execute(key, following);
    }

    private void rejectAll(String key, Task first) {
        ArrayDeque<Task> waiting;
        synchronized (this) {
            waiting = lanes.remove(key);
        }
        first.reject();
        if (waiting != null) {
            waiting.forEach(Task::reject);
        }
    }
}
