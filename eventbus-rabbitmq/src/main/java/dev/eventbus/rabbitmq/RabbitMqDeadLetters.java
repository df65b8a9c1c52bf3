package dev.eventbus.rabbitmq;

import dev.eventbus.rabbitmq.internal.publishing.ConfirmingPublisher;
import dev.eventbus.rabbitmq.internal.publishing.PublisherChannel;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.DeadLetterFilter;
import dev.eventbus.core.DeadLetterProgress;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.DeadLetterResult;
import dev.eventbus.core.DeadLetters;
import dev.eventbus.core.EventBusException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The dead-letter desk on RabbitMQ: reads, replays, moves, discards and purges the letters of
 * {@code dead_letter.<handler queue>}. Thread-safe; each call reads on a channel of its own.
 *
 * <p>Dead letters are read whoever wrote them: eventbus (its own headers, with the reason, attempts, failure and
 * times), a petisco consumer (attempts from its {@code redelivery_count}; it records no reason or time), or the broker
 * itself (reason {@link DeadLetterReason#EXPIRED}, {@link DeadLetterReason#REJECTED} or
 * {@link DeadLetterReason#DELIVERY_LIMIT} from its {@code x-death} header).
 *
 * <p>How it is safe: a letter is taken with {@code basic.get} without acknowledgement; a copy is published with
 * publisher confirms and the letter acknowledged (removed) only once the broker confirmed the copy. Letters that do not
 * match stay unacknowledged until the operation ends, then go back to their place. If the process or the connection
 * dies midway, the broker puts every unacknowledged letter back: nothing is lost, and at worst the one letter whose copy
 * was confirmed just before (up to {@link #confirmWindow(int) the confirm window}'s letters) is both in the target
 * queue and still a dead letter. A connection lost during an operation
 * ends it with an {@link EventBusException} saying so, rather than going on with letters it can no longer remove. An
 * operation reads at most as many letters as its queue had when it started: letters replayed, failed again and
 * dead-lettered once more wait behind that count, so a replay ends.
 *
 * <p>Concurrent desks on one queue never act on the same letter (a letter held by one is invisible to the others), but
 * while one desk holds letters (matching or not) another does not see them: two desks listing or replaying one queue at
 * once each see part of it.
 */
public final class RabbitMqDeadLetters implements DeadLetters {

    private final Connection connection;
    private final Convention convention;
    private final Supplier<ConfirmingPublisher> publisher;
    private final Supplier<List<String>> handlerQueues;
    private final int confirmWindow;

    RabbitMqDeadLetters(Connection connection, Convention convention, Supplier<ConfirmingPublisher> publisher,
                        Supplier<List<String>> handlerQueues) {
        this(connection, convention, publisher, handlerQueues, 1);
    }

    private RabbitMqDeadLetters(Connection connection, Convention convention, Supplier<ConfirmingPublisher> publisher,
                                Supplier<List<String>> handlerQueues, int confirmWindow) {
        this.connection = connection;
        this.convention = convention;
        this.publisher = publisher;
        this.handlerQueues = handlerQueues;
        this.confirmWindow = confirmWindow;
    }

    /**
     * A desk like this one that replays, moves and discards up to {@code window} letters at a time: it publishes up to
     * that many copies, waits for the broker to confirm them all, and only then removes their letters. Faster (the
     * broker confirms a window in about the time of one copy), at the price of duplicates: a process that dies (or a
     * connection lost) after the broker confirmed copies of a window but before it removed their letters leaves up to
     * {@code window} letters both in their target queue and still dead letters. Nothing is lost whatever the window.
     * This desk is unchanged.
     *
     * @param window copies in flight at most, 1 or more. Default is 1 (one copy confirmed at a time: at most one
     *               duplicate)
     * @return the desk with that window
     * @throws IllegalArgumentException if {@code window} is less than 1
     */
    public RabbitMqDeadLetters confirmWindow(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("a confirm window is 1 or more copies in flight, not " + window);
        }
        return new RabbitMqDeadLetters(connection, convention, publisher, handlerQueues, window);
    }

    /** Copies in flight at most during a replay, move or discard ({@link #confirmWindow(int)}); 1 by default. */
    public int confirmWindow() {
        return confirmWindow;
    }

    /**
     * Dead letters waiting in a handler queue's dead-letter queue ({@code dead_letter.<handlerQueue>}).
     *
     * @throws EventBusException if the dead-letter queue does not exist
     */
    @Override
    public long count(String handlerQueue) {
        return withChannel("count the dead letters of " + handlerQueue + " (is the bus configured? admin().configure() "
                + "declares its queues)", channel -> channel.messageCount(convention.deadLetterQueue(handlerQueue)));
    }

    /**
     * {@inheritDoc}
     *
     * @throws EventBusException if a dead-letter queue in scope does not exist
     */
    @Override
    public Map<String, Long> counts(DeadLetterFilter scope) {
        Map<String, Long> counts = new LinkedHashMap<>();
        new Scan(scope, progress -> { }).scope().forEach(queue -> counts.put(queue, count(queue)));
        return counts;
    }

    /**
     * Up to {@code max} dead letters of a handler queue, oldest first, left in the queue.
     *
     * @throws EventBusException if the dead-letter queue does not exist
     */
    @Override
    public List<DeadLetter> peek(String handlerQueue, int max) {
        if (max < 1) {
            return List.of();
        }
        return list(DeadLetterFilter.builder().queue(handlerQueue).limit(max).build());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Letters read are held (unacknowledged) until each queue has been read, then put back in their place.
     */
    @Override
    public void forEach(DeadLetterFilter filter, Consumer<? super DeadLetter> action) {
        Objects.requireNonNull(action, "action");
        new Scan(filter, progress -> { }).run(Operation.READ, (channel, response, letter) -> {
            action.accept(letter);
            return DONE;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each copy goes through the main exchange of the queue's service with the queue's {@code retry.<queue>} key (bound
     * to that queue only), without the dead-letter headers, with petisco's {@code queue} header so a petisco consumer can
     * retry it, and with the original routing key kept.
     *
     * @throws UnroutableMessageException   if the handler queue is gone
     * @throws PublishNotConfirmedException if the broker did not confirm a copy (that letter and the rest stay)
     */
    @Override
    public DeadLetterResult replay(DeadLetterFilter filter, Attempts attempts, Consumer<DeadLetterProgress> progress) {
        Objects.requireNonNull(attempts, "attempts");
        ConfirmingPublisher confirming = publisher.get();
        return new Scan(filter, progress).run(Operation.REPLAY, (channel, response, letter) -> {
            String queue = letter.queue();
            return publish(confirming, RabbitMqAdmin.exchangeOfQueue(queue), convention.retryRoutingKey(queue),
                    copy(response, letter, queue, attempts == Attempts.KEEP), response.getBody(),
                    "dead letter " + letter.id() + " replayed to " + queue);
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws ConfigurationException if the target queue does not exist (checked before any letter is moved)
     */
    @Override
    public DeadLetterResult move(DeadLetterFilter filter, String handlerQueue, Consumer<DeadLetterProgress> progress) {
        String exchange = RabbitMqAdmin.exchangeOfQueue(Objects.requireNonNull(handlerQueue, "handlerQueue"));
        try {
            withChannel("find the queue " + handlerQueue, channel -> channel.queueDeclarePassive(handlerQueue));
        } catch (EventBusException missing) {
            throw new ConfigurationException("cannot move dead letters to '" + handlerQueue + "': no such queue on the broker "
                    + "(configure the service it belongs to first, or check the name)", missing);
        }
        ConfirmingPublisher confirming = publisher.get();
        return new Scan(filter, progress).run(Operation.MOVE, (channel, response, letter) ->
                publish(confirming, exchange, convention.retryRoutingKey(handlerQueue),
                        copy(response, letter, handlerQueue, false), response.getBody(),
                        "dead letter " + letter.id() + " moved from " + letter.queue() + " to " + handlerQueue));
    }

    @Override
    public DeadLetterResult discard(DeadLetterFilter filter, Consumer<DeadLetterProgress> progress) {
        return new Scan(filter, progress).run(Operation.DISCARD, (channel, response, letter) -> DONE);
    }

    /**
     * Deletes every letter of {@code dead_letter.<handlerQueue>} ({@code queue.purge}); letters another desk holds at
     * that moment are not deleted.
     *
     * @throws EventBusException if the dead-letter queue does not exist
     */
    @Override
    public long purge(String handlerQueue) {
        return withChannel("purge the dead letters of " + handlerQueue,
                channel -> (long) channel.queuePurge(convention.deadLetterQueue(handlerQueue)).getMessageCount());
    }

    /** An action done at once: nothing to confirm. */
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /**
     * Publishes one copy (mandatory); the future completes with its confirm. One attempt: unlike a blocking publish, a
     * copy caught by a connection loss is not published again after recovery, so the letter is at most once in the target
     * queue when the operation fails; the broker puts the letter itself back in the dead letters.
     */
    private static CompletableFuture<Void> publish(ConfirmingPublisher confirming, String exchange, String routingKey,
                                                   AMQP.BasicProperties properties, byte[] body, String description) {
        return confirming.publishAsync(exchange, routingKey, true, properties, body, description)
                .exceptionallyCompose(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    return CompletableFuture.failedFuture(cause instanceof EventBusException ? cause
                            : new PublishException(description + " failed: " + cause, cause));
                });
    }

    /**
     * The copy of a letter for a handler queue: the letter's headers without the dead-letter ones and the broker's
     * death headers; petisco's {@code queue} header naming the target; the retry counters set to the attempts made when
     * they are kept, and absent (a first attempt) when reset.
     */
    private static AMQP.BasicProperties copy(GetResponse response, DeadLetter letter, String target, boolean keepAttempts) {
        Map<String, Object> headers = Headers.withoutDeathHeaders(response.getProps().getHeaders());
        headers.keySet().removeIf(key -> key.startsWith("eventbus-") && !key.equals(Headers.ORIGINAL_ROUTING_KEY)
                && !key.equals(Headers.ORIGINAL_EXCHANGE) && !(keepAttempts && key.equals(Headers.FIRST_FAILED_AT)));
        headers.remove(Headers.PETISCO_REDELIVERY_COUNT);
        headers.remove(DeadLetterReader.DELIVERY_COUNT);
        headers.putIfAbsent(Headers.ORIGINAL_ROUTING_KEY, letter.routingKey());
        headers.put(Headers.PETISCO_QUEUE, target); // a petisco consumer retries under retry.<queue>
        if (keepAttempts) {
            headers.put(Headers.RETRY_COUNT, letter.attempts());
            headers.put(Headers.PETISCO_REDELIVERY_COUNT, letter.attempts());
        }
        return response.getProps().builder().headers(headers).deliveryMode(2).build();
    }

    /** What a scan does to the letters it reads. */
    private enum Operation {
        READ("read", false, false),
        // a copy that fails again comes back as a new letter: only replays and moves need the bound to end
        REPLAY("replay", true, true),
        MOVE("move", true, true),
        DISCARD("discard", true, false);

        final String verb;
        /** Whether a matching letter is acknowledged (removed) after the action. */
        final boolean removes;
        /** Whether at most the letters present at the start are read. */
        final boolean bounded;

        Operation(String verb, boolean removes, boolean bounded) {
            this.verb = verb;
            this.removes = removes;
            this.bounded = bounded;
        }
    }

    /**
     * What an operation does with one matching letter before it is acknowledged: the future completes once it is done
     * (a copy confirmed); throwing or failing leaves the letter in place.
     */
    @FunctionalInterface
    private interface LetterAction {
        CompletableFuture<?> apply(Channel channel, GetResponse response, DeadLetter letter) throws IOException;
    }

    /** A letter whose action is under way, acknowledged once it completed. */
    private record Pending(long deliveryTag, DeadLetter letter, CompletableFuture<?> done) {
    }

    /**
     * One pass over the queues of a filter: reads each queue's letters (for a replay or a move, up to the count it had at
     * the start; else until none is left, as each letter read is held and not read again), applies the action to the
     * matching ones within skip and limit, and acknowledges each after its action returned (a read only holds them).
     */
    private final class Scan {
        private final DeadLetterFilter filter;
        private final Consumer<DeadLetterProgress> progress;
        private final long start = System.nanoTime();
        private long examined;
        private long matched;
        private long processed;
        private long total;

        Scan(DeadLetterFilter filter, Consumer<DeadLetterProgress> progress) {
            this.filter = Objects.requireNonNull(filter, "filter");
            this.progress = Objects.requireNonNull(progress, "progress");
        }

        DeadLetterResult run(Operation operation, LetterAction action) {
            List<String> queues = scope();
            List<Long> counts = new ArrayList<>(queues.size());
            for (String queue : queues) {
                long count = count(queue);
                counts.add(count);
                total += count;
            }
            for (int i = 0; i < queues.size() && processed < filter.limit(); i++) {
                String queue = queues.get(i);
                long bound = operation.bounded ? counts.get(i) : Long.MAX_VALUE;
                withChannel(operation.verb + " the dead letters of " + queue, channel -> {
                    AtomicBoolean lost = new AtomicBoolean();
                    channel.addShutdownListener(signal -> {
                        if (signal.isHardError()) {
                            lost.set(true);
                        }
                    });
                    try {
                        scanQueue(operation, action, queue, bound, channel, lost);
                    } catch (IOException | RuntimeException failure) {
                        if (!(failure instanceof LostDuringOperation) && operation.removes && connectionLost(failure, lost)) {
                            throw lost(operation, queue, null, failure);
                        }
                        throw failure;
                    }
                    return null; // closing the channel puts back every letter held
                });
            }
            return new DeadLetterResult(examined, processed, elapsed());
        }

        private void scanQueue(Operation operation, LetterAction action, String queue, long bound,
                               Channel channel, AtomicBoolean lost) throws IOException {
            String deadLetterQueue = convention.deadLetterQueue(queue);
            // on a failure the pending letters are not acknowledged: closing the channel puts them back (a copy
            // confirmed meanwhile is a duplicate, at most one window of them)
            List<Pending> pending = new ArrayList<>();
            for (long read = 0; read < bound && processed + pending.size() < filter.limit(); read++) {
                GetResponse response = channel.basicGet(deadLetterQueue, false);
                if (response == null) {
                    break;
                }
                examined++;
                DeadLetter letter = DeadLetterReader.read(response, queue);
                if (!filter.matches(letter) || matched++ < filter.skip()) {
                    continue; // held until the channel closes, then back in its place
                }
                CompletableFuture<?> done;
                try {
                    done = action.apply(channel, response, letter);
                } catch (EventBusException failure) {
                    settle(operation, queue, channel, lost, pending);
                    throw lost.get() ? lost(operation, queue, letter, failure) : failure;
                }
                pending.add(new Pending(response.getEnvelope().getDeliveryTag(), letter, done));
                if (pending.size() >= confirmWindow) {
                    settle(operation, queue, channel, lost, pending);
                }
            }
            settle(operation, queue, channel, lost, pending);
        }

        /**
         * Waits for every pending action, acknowledges (removes) the letters of those that completed, in their order, and
         * throws the first failure: the letters of failed actions stay, put back when the channel closes.
         */
        private void settle(Operation operation, String queue, Channel channel, AtomicBoolean lost,
                            List<Pending> pending) throws IOException {
            List<Pending> batch = List.copyOf(pending);
            pending.clear();
            EventBusException first = null;
            for (Pending each : batch) {
                try {
                    each.done().join();
                } catch (CompletionException e) {
                    EventBusException failure = e.getCause() instanceof EventBusException known ? known
                            : new EventBusException("dead letter " + each.letter().id() + ": " + e.getCause(), e.getCause());
                    if (first == null) {
                        first = lost.get() ? lost(operation, queue, each.letter(), failure) : failure;
                    }
                    continue;
                }
                if (operation.removes) {
                    if (lost.get()) {
                        throw lost(operation, queue, each.letter(), null);
                    }
                    channel.basicAck(each.deliveryTag(), false);
                }
                processed++;
                progress.accept(new DeadLetterProgress(examined, processed, total, elapsed()));
            }
            if (first != null) {
                throw first;
            }
        }

        /** Whether a failure is the connection's (not one channel's, such as a missing queue). */
        private static boolean connectionLost(Exception failure, AtomicBoolean lost) {
            if (lost.get()) {
                return true;
            }
            if (failure instanceof ShutdownSignalException signal) {
                return signal.isHardError();
            }
            return failure instanceof IOException && !(failure.getCause() instanceof ShutdownSignalException signal
                    && !signal.isHardError());
        }

        private EventBusException lost(Operation operation, String queue, @Nullable DeadLetter letter,
                                       @Nullable Exception cause) {
            String message = "the connection to the broker was lost during the " + operation.verb + " of the dead "
                    + "letters of " + queue + " after " + processed + " letter(s)" + (cause == null ? "" : " ("
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()) + ")")
                    + ": the broker put back every letter not yet removed; " + (confirmWindow > 1
                    ? "up to " + confirmWindow + " letters (the confirm window) from " + (letter == null ? "the last done"
                    : "letter " + letter.id()) + " on" : letter == null ? "the last letter done" : "letter " + letter.id())
                    + " may be both in the target queue and still a dead letter (a duplicate). "
                    + "Run the " + operation.verb + " again";
            return new LostDuringOperation(message, cause);
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - start);
        }

        /** The handler queues of the filter: its queue, or the bus's handler queues it covers. */
        private List<String> scope() {
            if (filter.queue() != null) {
                String queue = filter.queue();
                return filter.covers(queue, handlerOf(queue)) ? List.of(queue) : List.of();
            }
            List<String> queues = handlerQueues.get().stream().filter(queue -> filter.covers(queue, handlerOf(queue))).toList();
            if (filter.handler() != null && queues.isEmpty()) {
                throw new ConfigurationException("no handler named '" + filter.handler() + "' is subscribed to this bus "
                        + "(handler queues: " + handlerQueues.get() + "): check the name, or name another service's "
                        + "queue with DeadLetterFilter.builder().queue(...)");
            }
            return queues;
        }
    }

    /** An operation ended by a lost connection, explained once. */
    private static final class LostDuringOperation extends EventBusException {
        LostDuringOperation(String message, @Nullable Exception cause) {
            super(message);
            if (cause != null) {
                initCause(cause);
            }
        }
    }

    /** The handler of a handler queue: its last part ({@code ...user_created.send_mail_handler}). */
    private static String handlerOf(String handlerQueue) {
        return handlerQueue.substring(handlerQueue.lastIndexOf('.') + 1);
    }

    @FunctionalInterface
    private interface ChannelWork<T> {
        T apply(Channel channel) throws IOException;
    }

    private <T> T withChannel(String what, ChannelWork<T> work) {
        try (Channel channel = connection.createChannel()) {
            return work.apply(channel);
        } catch (IOException e) {
            String reason = e.getCause() instanceof ShutdownSignalException s ? PublisherChannel.describe(s) : e.getMessage();
            throw new EventBusException("cannot " + what + ": " + reason, e);
        } catch (ShutdownSignalException e) {
            throw new EventBusException("cannot " + what + ": " + PublisherChannel.describe(e), e);
        } catch (TimeoutException e) {
            throw new EventBusException("closing the dead-letter channel timed out after trying to " + what, e);
        }
    }
}
