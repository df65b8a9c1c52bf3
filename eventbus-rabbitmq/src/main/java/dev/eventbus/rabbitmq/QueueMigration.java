package dev.eventbus.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.EventBusException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Moves queues to new arguments (a new retry delay, classic to quorum, a new TTL) without losing a message. RabbitMQ
 * cannot change the arguments of a queue that exists, so a queue whose arguments differ from its plan is migrated in
 * two legs through a parking queue {@code migrating.<queue>} (durable, classic, no arguments):
 * <ol>
 *   <li>the parking queue is declared and bound like the queue (new messages reach it), the queue's bindings are
 *   removed, its messages are moved to the parking queue, and the queue is deleted once it is empty and unused (a
 *   quorum queue refuses the broker's if-empty delete, so this is a look, then a delete; with no bindings left nothing
 *   routed reaches it in between);</li>
 *   <li>the queue is declared with its new arguments and bindings, the parking queue unbound, its messages moved
 *   back, and it is deleted with the broker's if-empty check.</li>
 * </ol>
 * Each message is removed from its queue only after the broker confirmed its copy in the other, so a process that dies
 * mid-way loses nothing (a batch may be copied twice: delivery is at least once); running the migration again resumes
 * where it stopped. For a moment at each switch of bindings a new message can reach both queues (a duplicate, never a
 * loss). Message properties and headers (retry counts, {@code x-death}) move with the messages; a retry queue's
 * messages restart their TTL.
 *
 * <p>The queues must have no consumers: stop the service, or pause the handler, first. Shared queues (the store's) are
 * never migrated by {@link #migrate(Topology, Predicate)}. Blocking; not thread-safe (one migration at a time per
 * instance).
 */
public final class QueueMigration {

    /** How long a queue's consumer count may take to settle before a migration believes it (see requireNoConsumers). */
    private static final java.time.Duration CONSUMERS_SETTLE = java.time.Duration.ofSeconds(5);

    /** The prefix of the parking queue's name. */
    public static final String PARKING_PREFIX = "migrating.";

    private static final int BATCH = 200;
    private static final long CONFIRM_TIMEOUT_MILLIS = 30_000;

    /** Told about every batch moved; called on the migrating thread. */
    @FunctionalInterface
    public interface Listener {
        /**
         * Some messages were moved.
         *
         * @param from  the queue they left
         * @param to    the queue they are in now
         * @param moved how many have been moved from {@code from} so far
         * @param total how many {@code from} held when the move began (more may arrive)
         */
        void moved(String from, String to, long moved, long total);
    }

    /**
     * What a migration did to one queue.
     *
     * @param queue    the queue
     * @param outcome  what was done
     * @param moved    how many messages went through the parking queue
     */
    public record Result(String queue, Outcome outcome, long moved) {
    }

    /** What {@link #migrate} did to a queue. */
    public enum Outcome {
        /** The queue had its planned arguments already. */
        UNCHANGED,
        /** The queue did not exist; it was declared with its planned arguments and bindings. */
        DECLARED,
        /** The queue was declared again with its planned arguments and its messages moved back. */
        MIGRATED
    }

    private final Connection connection;
    private Listener listener = (from, to, moved, total) -> { };

    private QueueMigration(Connection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /**
     * A migration working on this connection (which it does not close).
     *
     * @param connection an open connection to the broker
     * @return a new migration
     */
    public static QueueMigration on(Connection connection) {
        return new QueueMigration(connection);
    }

    /**
     * Who is told of the progress. Default: nobody.
     *
     * @param listener told after every batch of moved messages
     * @return this migration
     */
    public QueueMigration listener(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Migrates every queue of the plan that {@code which} accepts and that is not shared, in the plan's order.
     *
     * @param plan  the topology the queues must have, e.g. {@code bus.admin().topology()}
     * @param which which queues to migrate, e.g. {@code q -> q.name().endsWith(".send_mail_handler")}
     * @return what was done to each
     * @throws EventBusException if a queue has consumers or the broker refused an operation (the queues are left in a
     *                           state that running the migration again resumes from)
     */
    public List<Result> migrate(Topology plan, Predicate<Topology.Queue> which) {
        List<Result> results = new ArrayList<>();
        for (Topology.Queue queue : plan.queues()) {
            if (!queue.shared() && which.test(queue)) {
                List<Topology.Binding> bindings = plan.bindings().stream().filter(b -> b.queue().equals(queue.name())).toList();
                results.add(migrate(queue, bindings));
            }
        }
        return results;
    }

    /**
     * Migrates one queue to its planned arguments and bindings, or does nothing when it has them.
     *
     * @param target   the queue as it must be
     * @param bindings its bindings
     * @return what was done
     * @throws EventBusException if the queue has consumers or the broker refused an operation
     */
    public Result migrate(Topology.Queue target, List<Topology.Binding> bindings) {
        String name = target.name();
        String parking = PARKING_PREFIX + name;
        boolean parked = exists(parking);
        long moved = 0;
        if (exists(name)) {
            if (hasArguments(target)) {
                if (!parked) {
                    return new Result(name, Outcome.UNCHANGED, 0);
                }
            } else {
                requireNoConsumers(name);
                call("declare the parking queue " + parking, channel -> channel.queueDeclare(parking, true, false, false, Map.of()));
                for (Topology.Binding binding : bindings) {
                    call("bind " + parking, channel -> channel.queueBind(parking, binding.exchange(), binding.routingKey()));
                }
                for (Topology.Binding binding : bindings) {
                    call("unbind " + name, channel -> channel.queueUnbind(name, binding.exchange(), binding.routingKey()));
                }
                moved = moveAllThenDelete(name, parking);
                parked = true;
            }
        }
        if (!parked) {
            declare(target, bindings);
            return new Result(name, Outcome.DECLARED, 0);
        }
        declare(target, bindings);
        for (Topology.Binding binding : bindings) {
            call("unbind " + parking, channel -> channel.queueUnbind(parking, binding.exchange(), binding.routingKey()));
        }
        long back = moveAllThenDelete(parking, name);
        return new Result(name, Outcome.MIGRATED, Math.max(moved, back));
    }

    private void declare(Topology.Queue target, List<Topology.Binding> bindings) {
        call("declare " + target.name() + " with " + target.arguments(),
                channel -> channel.queueDeclare(target.name(), true, false, false, target.arguments()));
        for (Topology.Binding binding : bindings) {
            call("bind " + target.name(), channel -> channel.queueBind(target.name(), binding.exchange(), binding.routingKey()));
        }
    }

    /**
     * Moves every message of {@code from} to {@code to} (each acked only once its copy is confirmed), then deletes it when
     * empty. The parking queue (classic, ours) is deleted with the broker's if-empty check. The old queue may be a quorum
     * queue, which refuses that check (a connection error), so it is deleted once a look shows it empty and unused: its
     * bindings are gone by then, so nothing routed can arrive in between.
     */
    private long moveAllThenDelete(String from, String to) {
        boolean parking = from.startsWith(PARKING_PREFIX);
        long moved = 0;
        while (true) {
            moved += moveAll(from, to, moved);
            if (!parking) {
                if (deleteIfIdle(from)) {
                    return moved;
                }
                requireNoConsumers(from);
                continue;
            }
            try (Channel channel = connection.createChannel()) {
                channel.queueDelete(from, true, true);
                return moved;
            } catch (IOException e) {
                if (!isPreconditionFailed(e)) {
                    throw new EventBusException("could not delete " + from + " after moving its messages to " + to + ": "
                            + describe(e) + "; run the migration again to resume", e);
                }
                // 406: a message arrived (or a consumer attached) since the last get: move again
                requireNoConsumers(from);
            } catch (TimeoutException e) {
                throw new EventBusException("closing a channel timed out while migrating " + from, e);
            }
        }
    }

    private long moveAll(String from, String to, long movedBefore) {
        try (Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            AtomicBoolean returned = new AtomicBoolean();
            channel.addReturnListener(r -> returned.set(true));
            long total = movedBefore + channel.queueDeclarePassive(from).getMessageCount();
            long moved = 0;
            while (true) {
                long lastTag = -1;
                int batch = 0;
                for (; batch < BATCH; batch++) {
                    GetResponse response = channel.basicGet(from, false);
                    if (response == null) {
                        break;
                    }
                    AMQP.BasicProperties properties = response.getProps();
                    channel.basicPublish("", to, true, properties, response.getBody());
                    lastTag = response.getEnvelope().getDeliveryTag();
                }
                if (batch == 0) {
                    return moved;
                }
                channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
                if (returned.get()) {
                    throw new EventBusException("the broker returned messages moved from " + from + " to " + to
                            + ": " + to + " does not exist; nothing was removed from " + from);
                }
                channel.basicAck(lastTag, true);
                moved += batch;
                listener.moved(from, to, movedBefore + moved, Math.max(total, movedBefore + moved));
            }
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            throw new EventBusException("moving messages from " + from + " to " + to + " failed: " + describe(e)
                    + "; unconfirmed messages stay in " + from + ", run the migration again to resume", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventBusException("interrupted while moving messages from " + from + " to " + to, e);
        }
    }

    private boolean exists(String queue) {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclarePassive(queue);
            return true;
        } catch (IOException e) {
            return false;
        } catch (TimeoutException e) {
            throw new EventBusException("closing a channel timed out while looking for " + queue, e);
        }
    }

    /** Whether the queue accepts a declaration with the target's arguments (RabbitMQ answers 406 when they differ). */
    private boolean hasArguments(Topology.Queue target) {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclare(target.name(), true, false, false, target.arguments());
            return true;
        } catch (IOException e) {
            if (isPreconditionFailed(e)) {
                return false;
            }
            throw new EventBusException("could not check the arguments of " + target.name() + ": " + describe(e), e);
        } catch (TimeoutException e) {
            throw new EventBusException("closing a channel timed out while checking " + target.name(), e);
        }
    }

    /**
     * Refuses a queue that has consumers. A quorum queue may still count, for a moment, the consumers of channels that
     * just closed and the gets this migration just made (seen on RabbitMQ 3.10 right after hundreds of basic.get), so a
     * non-zero count is looked at again for up to {@link #CONSUMERS_SETTLE} before it is believed.
     */
    private void requireNoConsumers(String queue) {
        long deadline = System.nanoTime() + CONSUMERS_SETTLE.toNanos();
        int consumers = call("look at " + queue, channel -> channel.queueDeclarePassive(queue)).getConsumerCount();
        while (consumers > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EventBusException("interrupted while looking at the consumers of " + queue, e);
            }
            consumers = call("look at " + queue, channel -> channel.queueDeclarePassive(queue)).getConsumerCount();
        }
        if (consumers > 0) {
            throw new EventBusException("queue " + queue + " has " + consumers + " consumer(s): stop the service or pause "
                    + "its handler before migrating the queue, then run the migration again");
        }
    }

    private static boolean isPreconditionFailed(IOException e) {
        return replyCode(e) == AMQP.PRECONDITION_FAILED;
    }

    /** The reply code of the channel close that an operation's IOException carries, or 0. */
    private static int replyCode(IOException e) {
        return e.getCause() instanceof ShutdownSignalException signal && signal.getReason() instanceof AMQP.Channel.Close close
                ? close.getReplyCode() : 0;
    }

    /** What the broker said: an operation's IOException carries it as its cause. */
    private static String describe(Exception e) {
        return e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : String.valueOf(e);
    }

    /** Deletes the queue if it holds no message and has no consumer (without the broker's if-empty check). */
    private boolean deleteIfIdle(String queue) {
        AMQP.Queue.DeclareOk state = call("look at " + queue, channel -> channel.queueDeclarePassive(queue));
        if (state.getMessageCount() > 0 || state.getConsumerCount() > 0) {
            return false;
        }
        call("delete " + queue, channel -> channel.queueDelete(queue));
        return true;
    }

    private interface ChannelCall<T> {
        T on(Channel channel) throws IOException;
    }

    private <T> T call(String what, ChannelCall<T> action) {
        try (Channel channel = connection.createChannel()) {
            return action.on(channel);
        } catch (IOException | ShutdownSignalException e) {
            throw new EventBusException("could not " + what + ": " + describe(e) + "; run the migration again to resume", e);
        } catch (TimeoutException e) {
            throw new EventBusException("closing a channel timed out: could not " + what, e);
        }
    }
}
