package dev.eventbus.testkit;

import dev.eventbus.core.BusHealth;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventBusAdmin;
import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.pipeline.PublishPipeline;
import dev.eventbus.core.Message;
import dev.eventbus.core.Subscription;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * An {@link EventBus} for unit tests without a broker: it records every message published through it,
 * and asserts on what was published with failure messages that list everything published.
 *
 * <pre>{@code
 * RecordingEventBus bus = new RecordingEventBus();
 * new UserService(bus).create("u-1");
 * bus.assertPublishedExactly(1, UserCreated.class, event -> event.userId().equals("u-1"));
 * bus.assertNothingElsePublished();
 * }</pre>
 *
 * <p>On its own it runs no handlers: {@link #subscribe} keeps subscriptions for inspection
 * ({@link #subscriptions()}). {@link #forwardingTo(EventBus)} records and then hands every call to another
 * bus (e.g. an in-memory bus that runs the handlers, or a RabbitMQ bus).
 *
 * <p>Thread-safe: any thread may publish while another asserts; all state is guarded by this object's
 * lock, and calls to the delegate are made outside it.
 */
public final class RecordingEventBus implements EventBus {

    /** What a bus checks before publishing, for a recording bus without a delegate. */
    private static final PublishPipeline CHECKS = new PublishPipeline(Convention.of("recording", "bus"),
            new MessageCodec(new MessageRegistry()), MessageValidator.NONE);

    private final EventBus delegate;
    private final List<Message<?>> published = new ArrayList<>();
    private final List<Boolean> asserted = new ArrayList<>();
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, Boolean> paused = new LinkedHashMap<>();
    private boolean started;

    /** A recording bus that only records. */
    public RecordingEventBus() {
        this(null);
    }

    private RecordingEventBus(EventBus delegate) {
        this.delegate = delegate;
    }

    /** A recording bus that records every published message, then passes every call on to the delegate. */
    public static RecordingEventBus forwardingTo(EventBus delegate) {
        return new RecordingEventBus(Objects.requireNonNull(delegate, "delegate"));
    }

    /**
     * Checks the message as every bus does (an event or command, encodable as JSON), forwards it if forwarding, then
     * records it: a message the delegate refused is not recorded.
     *
     * @throws dev.eventbus.core.MessageEncodingException if the payload is not an event or command, or cannot be written
     */
    @Override
    public void publish(Message<?> message) {
        check(Objects.requireNonNull(message, "message"));
        if (delegate != null) {
            delegate.publish(message);
        }
        record(List.of(message));
    }

    /** Checks every payload or message, forwards them (same ids) if forwarding, then records them in order. */
    @Override
    public void publish(List<?> payloadsOrMessages) {
        Objects.requireNonNull(payloadsOrMessages, "payloadsOrMessages");
        List<Message<?>> messages = payloadsOrMessages.stream().<Message<?>>map(EventPublisher::toMessage).toList();
        messages.forEach(this::check);
        if (delegate != null) {
            delegate.publish(messages);
        }
        record(messages);
    }

    /** Forwards if forwarding (the future is the delegate's), else checks; records the message once accepted. */
    @Override
    public CompletableFuture<Void> publishAsync(Message<?> message) {
        Objects.requireNonNull(message, "message");
        if (delegate != null) {
            return delegate.publishAsync(message).thenRun(() -> record(List.of(message)));
        }
        try {
            check(message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        record(List.of(message));
        return CompletableFuture.completedFuture(null);
    }

    /** Without a delegate, the publish pipeline's checks; a delegate makes its own. */
    private void check(Message<?> message) {
        if (delegate == null) {
            CHECKS.prepare(message);
        }
    }

    /**
     * Keeps the subscription (forwarding it if forwarding).
     *
     * @throws ConfigurationException if a handler of that name is already subscribed here
     */
    @Override
    public void subscribe(Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        synchronized (this) {
            if (subscriptions.putIfAbsent(subscription.handlerName(), subscription) != null) {
                throw new ConfigurationException("handler '" + subscription.handlerName()
                        + "' is already subscribed to this bus: give each handler a unique name");
            }
        }
        if (delegate != null) {
            delegate.subscribe(subscription);
        }
    }

    /** Marks the bus started (starting the delegate if forwarding). */
    @Override
    public void start() {
        synchronized (this) {
            started = true;
        }
        if (delegate != null) {
            delegate.start();
        }
    }

    /**
     * Marks a handler paused (forwarding the call if forwarding).
     *
     * @throws ConfigurationException if no handler of that name is subscribed here (or, forwarding, to the delegate)
     */
    @Override
    public void pause(String handlerName) {
        if (delegate != null) {
            delegate.pause(handlerName); // the delegate knows every handler, also those subscribed before wrapping
        }
        setPaused(handlerName, true);
    }

    /**
     * Marks a handler active again (forwarding the call if forwarding).
     *
     * @throws ConfigurationException if no handler of that name is subscribed here (or, forwarding, to the delegate)
     */
    @Override
    public void resume(String handlerName) {
        if (delegate != null) {
            delegate.resume(handlerName);
        }
        setPaused(handlerName, false);
    }

    /**
     * The delegate's health when forwarding; else each subscribed handler as this bus tracks it (consuming once started,
     * unless paused), with no connection.
     */
    @Override
    public BusHealth health() {
        if (delegate != null) {
            return delegate.health();
        }
        synchronized (this) {
            return new BusHealth(List.of(), subscriptions.values().stream().map(subscription -> new HandlerStatus(
                    subscription.handlerName(), "(recording: no queue)", !started ? HandlerStatus.State.IDLE
                    : isPaused(subscription.handlerName()) ? HandlerStatus.State.PAUSED : HandlerStatus.State.CONSUMING,
                    null)).toList());
        }
    }

    /**
     * The delegate's administration view.
     *
     * @throws UnsupportedOperationException without a delegate: a bus that only records has no queues to administer;
     *                                       use {@link #forwardingTo(EventBus)}
     */
    @Override
    public EventBusAdmin admin() {
        if (delegate == null) {
            throw new UnsupportedOperationException("a RecordingEventBus that only records has no queues or dead letters: "
                    + "build it with RecordingEventBus.forwardingTo(bus) to administer that bus");
        }
        return delegate.admin();
    }

    /** Marks the bus stopped (stopping the delegate if forwarding); the recording is kept. Idempotent. */
    @Override
    public void stop() {
        synchronized (this) {
            started = false;
        }
        if (delegate != null) {
            delegate.stop();
        }
    }

    private synchronized void setPaused(String handlerName, boolean pause) {
        if (delegate == null && !subscriptions.containsKey(handlerName)) {
            throw new ConfigurationException("no handler '" + handlerName + "' is subscribed to this bus; subscribed: "
                    + subscriptions.keySet());
        }
        paused.put(handlerName, pause);
    }

    private synchronized void record(List<Message<?>> messages) {
        for (Message<?> message : messages) {
            published.add(message);
            asserted.add(false);
        }
    }

    /** Whether {@link #start()} was called and {@link #stop()} not since. */
    public synchronized boolean isStarted() {
        return started;
    }

    /** The subscriptions made on this bus, in order. */
    public synchronized List<Subscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    /** Whether the named handler was paused with {@link #pause(String)} and not resumed. */
    public synchronized boolean isPaused(String handlerName) {
        return paused.getOrDefault(handlerName, false);
    }

    /** Every message published so far, in publishing order. */
    public synchronized List<Message<?>> published() {
        return List.copyOf(published);
    }

    /** The messages published so far whose payload is an instance of the type, in publishing order. */
    public synchronized <T> List<Message<T>> published(Class<T> type) {
        Objects.requireNonNull(type, "type");
        List<Message<T>> matching = new ArrayList<>();
        for (Message<?> message : published) {
            if (type.isInstance(message.payload())) {
                @SuppressWarnings("unchecked")
                Message<T> typed = (Message<T>) message;
                matching.add(typed);
            }
        }
        return matching;
    }

    /**
     * Asserts that at least one published message has a payload of the type that matches, and returns
     * the first. Every matching message counts as asserted for {@link #assertNothingElsePublished()}.
     *
     * @throws AssertionError if none matches, listing everything published
     */
    public synchronized <T> Message<T> assertPublished(Class<T> type, Predicate<? super T> matching) {
        List<Integer> matches = matches(type, matching);
        if (matches.isEmpty()) {
            throw new AssertionError("expected a published " + type.getSimpleName() + " matching the condition; observed: "
                    + (published.isEmpty() ? "nothing published" : "none of the published messages matched:" + listing()));
        }
        matches.forEach(index -> asserted.set(index, true));
        @SuppressWarnings("unchecked")
        Message<T> first = (Message<T>) published.get(matches.get(0));
        return first;
    }

    /** Asserts that at least one message of the type was published, and returns the first. */
    public <T> Message<T> assertPublished(Class<T> type) {
        return assertPublished(type, payload -> true);
    }

    /**
     * Asserts that exactly {@code count} published messages have a payload of the type that matches,
     * and returns them in publishing order. They all count as asserted for
     * {@link #assertNothingElsePublished()}.
     *
     * @throws AssertionError if another number matches, listing everything published
     */
    public synchronized <T> List<Message<T>> assertPublishedExactly(int count, Class<T> type, Predicate<? super T> matching) {
        if (count < 0) {
            throw new IllegalArgumentException("count " + count + " is negative: give 0 or more");
        }
        List<Integer> matches = matches(type, matching);
        if (matches.size() != count) {
            throw new AssertionError("expected exactly " + count + " published " + type.getSimpleName()
                    + " matching the condition; observed: " + matches.size() + " matching "
                    + (matches.isEmpty() ? "" : "(numbers " + numbers(matches) + ") ")
                    + "among " + published.size() + " published:" + listing());
        }
        matches.forEach(index -> asserted.set(index, true));
        List<Message<T>> result = new ArrayList<>();
        for (int index : matches) {
            @SuppressWarnings("unchecked")
            Message<T> message = (Message<T>) published.get(index);
            result.add(message);
        }
        return result;
    }

    /**
     * Asserts that every published message was matched by an earlier {@code assertPublished...} call
     * (since the last {@link #clear()}).
     *
     * @throws AssertionError listing the messages no assertion matched
     */
    public synchronized void assertNothingElsePublished() {
        List<Integer> unasserted = new ArrayList<>();
        for (int i = 0; i < published.size(); i++) {
            if (!asserted.get(i)) {
                unasserted.add(i);
            }
        }
        if (!unasserted.isEmpty()) {
            StringBuilder text = new StringBuilder();
            for (int index : unasserted) {
                text.append(line(index));
            }
            throw new AssertionError("expected nothing else published; observed " + unasserted.size()
                    + " message(s) no assertion matched:" + text + System.lineSeparator() + "all published:" + listing());
        }
    }

    /**
     * Asserts that nothing was published (since the last {@link #clear()}).
     *
     * @throws AssertionError listing what was published
     */
    public synchronized void assertNothingPublished() {
        if (!published.isEmpty()) {
            throw new AssertionError("expected nothing published; observed " + published.size() + " message(s):" + listing());
        }
    }

    /** Forgets every recorded message and which were asserted; subscriptions are kept. */
    public synchronized void clear() {
        published.clear();
        asserted.clear();
    }

    private <T> List<Integer> matches(Class<T> type, Predicate<? super T> matching) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(matching, "matching");
        List<Integer> matches = new ArrayList<>();
        for (int i = 0; i < published.size(); i++) {
            Object payload = published.get(i).payload();
            if (type.isInstance(payload) && matching.test(type.cast(payload))) {
                matches.add(i);
            }
        }
        return matches;
    }

    private String listing() {
        if (published.isEmpty()) {
            return " (nothing)";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < published.size(); i++) {
            text.append(line(i));
        }
        return text.toString();
    }

    private String line(int index) {
        Message<?> message = published.get(index);
        return System.lineSeparator() + "  " + (index + 1) + ". " + message.name() + " v" + message.version() + " ("
                + message.kind().routingSegment() + ", id " + message.id() + "): " + payloadText(message.payload());
    }

    private static String payloadText(Object payload) {
        if (payload instanceof Object[] array) {
            return Arrays.deepToString(array);
        }
        return String.valueOf(payload);
    }

    private static String numbers(List<Integer> indexes) {
        return String.join(", ", indexes.stream().map(index -> String.valueOf(index + 1)).toList());
    }
}
