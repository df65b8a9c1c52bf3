package dev.eventbus.micrometer;

import dev.eventbus.core.Endpoint;
import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.Message;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.core.pipeline.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Metrics of one bus in a Micrometer {@link MeterRegistry}: register it on the bus's builder.
 *
 * <pre>{@code
 * RabbitMqEventBus bus = RabbitMqEventBus.builder()
 *         .organization("alice").service("petisco")
 *         .observer(MicrometerObserver.of(registry, "alice", "petisco"))
 *         ...
 * }</pre>
 *
 * <p>The meters (every one tagged {@code organization} and {@code service}; docs/observability.md shows a scrape):
 * <ul>
 *   <li>{@value #PUBLISH} (counter): messages published, by {@code message}, {@code version} and {@code outcome}
 *       ({@code confirmed}, {@code unroutable}, {@code failed});</li>
 *   <li>{@value #PUBLISH_CONFIRM} (timer): from handing a message to the transport to its confirm, by {@code message}
 *       and {@code version};</li>
 *   <li>{@value #PUBLISH_IN_FLIGHT} (gauge): messages handed to the transport and not yet confirmed or failed;</li>
 *   <li>{@value #DELIVERIES} (counter): what deliveries came to, by {@code handler}, {@code message}, {@code version}
 *       and {@code outcome} ({@code handled}, {@code retried}, {@code dead_lettered}, {@code requeued});</li>
 *   <li>{@value #DEAD_LETTERS} (counter): dead-lettered deliveries by {@code handler}, {@code message},
 *       {@code version} and {@code reason} (a {@link dev.eventbus.core.DeadLetterReason} wire value);</li>
 *   <li>{@value #HANDLER_DURATION} (timer): how long handlers ran, by {@code handler}, {@code message},
 *       {@code version} and {@code outcome} (deliveries that never reached the handler are not timed);</li>
 *   <li>{@value #HANDLER_STATUS} (gauge): 1 for the state each handler's queue is in, 0 for the others, by
 *       {@code handler}, {@code queue} and {@code state} ({@code consuming}, {@code paused}, {@code failed}, ...);</li>
 *   <li>{@value #CONNECTION_EVENTS} (counter) by {@code connection} and {@code event} ({@code blocked},
 *       {@code unblocked}, {@code recovered}), and {@value #CONNECTION_BLOCKED} (gauge): 1 while the broker blocks
 *       the connection.</li>
 * </ul>
 * Tags have bounded values (names of messages, handlers, queues and connections; never message ids). A message that
 * could not be decoded is tagged {@code message=unknown}, {@code version=unknown}.
 *
 * <p>Thread-safe; meters are registered on first use and then looked up in a map, so an event costs a map lookup and
 * an increment.
 */
public final class MicrometerObserver implements EventBusObserver {

    /** Counter of published messages by outcome. */
    public static final String PUBLISH = "eventbus.publish";
    /** Timer from publish to the broker's confirm. */
    public static final String PUBLISH_CONFIRM = "eventbus.publish.confirm";
    /** Gauge of messages awaiting their confirm. */
    public static final String PUBLISH_IN_FLIGHT = "eventbus.publish.in_flight";
    /** Counter of deliveries by outcome. */
    public static final String DELIVERIES = "eventbus.deliveries";
    /** Counter of dead-lettered deliveries by reason. */
    public static final String DEAD_LETTERS = "eventbus.dead_letters";
    /** Timer of handler runs. */
    public static final String HANDLER_DURATION = "eventbus.handler.duration";
    /** Gauge of each handler queue's consumer state. */
    public static final String HANDLER_STATUS = "eventbus.handler.status";
    /** Counter of connection events. */
    public static final String CONNECTION_EVENTS = "eventbus.connection.events";
    /** Gauge: 1 while a connection is blocked by a broker alarm. */
    public static final String CONNECTION_BLOCKED = "eventbus.connection.blocked";

    private static final String UNKNOWN = "unknown";

    private final MeterRegistry registry;
    private final Tags common;
    private final AtomicLong inFlight = new AtomicLong();
    private final Map<PublishKey, PublishMeters> publishes = new ConcurrentHashMap<>();
    private final Map<DeliveryKey, DeliveryMeters> deliveries = new ConcurrentHashMap<>();
    private final Map<DeadLetterKey, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<HandlerStatus.State>> handlerStates = new ConcurrentHashMap<>();
    private final Map<String, Counter> connectionEvents = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> blocked = new ConcurrentHashMap<>();

    private MicrometerObserver(MeterRegistry registry, String organization, String service) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.common = Tags.of("organization", requireName(organization, "organization"),
                "service", requireName(service, "service"));
        Gauge.builder(PUBLISH_IN_FLIGHT, inFlight, AtomicLong::get)
                .description("Messages handed to the transport and not yet confirmed or failed")
                .tags(common).register(registry);
    }

    /**
     * An observer of the bus of this organization and service (the same as the bus's), registering its meters in
     * {@code registry}. Use one per bus.
     *
     * @throws IllegalArgumentException if the organization or service is blank
     */
    public static MicrometerObserver of(MeterRegistry registry, String organization, String service) {
        return new MicrometerObserver(registry, organization, service);
    }

    private static String requireName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " is blank: give the bus's " + what + ", e.g. \"alice\"");
        }
        return value;
    }

    // ---------------------------------------------------------------- publishing

    @Override
    public void published(EncodedMessage message) {
        inFlight.incrementAndGet();
    }

    @Override
    public void confirmed(EncodedMessage message, Duration latency) {
        inFlight.decrementAndGet();
        PublishMeters meters = publishMeters(message);
        meters.confirmed.increment();
        meters.confirm.record(latency);
    }

    @Override
    public void publishFailed(EncodedMessage message, Throwable failure) {
        inFlight.decrementAndGet();
        publishMeters(message).failed.increment();
    }

    @Override
    public void returned(EncodedMessage message, Throwable failure) {
        inFlight.decrementAndGet();
        publishMeters(message).unroutable.increment();
    }

    private PublishMeters publishMeters(EncodedMessage message) {
        PublishKey key = new PublishKey(message.name(), message.version());
        PublishMeters meters = publishes.get(key);
        return meters != null ? meters : publishes.computeIfAbsent(key, k -> new PublishMeters(registry,
                common.and("message", k.name(), "version", Integer.toString(k.version()))));
    }

    /** The meters of one message name and version: each outcome's counter (all registered, so zeros show) and the timer. */
    private static final class PublishMeters {
        final Counter confirmed;
        final Counter failed;
        final Counter unroutable;
        final Timer confirm;

        PublishMeters(MeterRegistry registry, Tags tags) {
            confirmed = counter(registry, tags, "confirmed");
            failed = counter(registry, tags, "failed");
            unroutable = counter(registry, tags, "unroutable");
            confirm = Timer.builder(PUBLISH_CONFIRM)
                    .description("From handing a message to the transport to the broker's confirm")
                    .tags(tags).register(registry);
        }

        private static Counter counter(MeterRegistry registry, Tags tags, String outcome) {
            return Counter.builder(PUBLISH).description("Messages published, by outcome")
                    .tags(tags).tag("outcome", outcome).register(registry);
        }
    }

    // ---------------------------------------------------------------- delivering

    @Override
    public void delivered(Endpoint endpoint, Outcome outcome, Duration duration) {
        Message<?> message = outcome.message();
        DeliveryKey key = new DeliveryKey(endpoint.handlerName(), message == null ? UNKNOWN : message.name(),
                message == null ? -1 : message.version(), outcome(outcome));
        DeliveryMeters meters = deliveries.get(key);
        if (meters == null) {
            meters = deliveries.computeIfAbsent(key, k -> new DeliveryMeters(registry, handlerTags(k), k.outcome()));
        }
        meters.count.increment();
        if (!duration.isZero()) {
            meters.duration().record(duration);
        }
        if (outcome instanceof Outcome.DeadLettered dead) {
            deadLetters.computeIfAbsent(new DeadLetterKey(key, dead.reason().wireValue()),
                    k -> Counter.builder(DEAD_LETTERS)
                            .description("Deliveries dead-lettered, by reason")
                            .tags(handlerTags(k.delivery())).tag("reason", k.reason())
                            .register(registry)).increment();
        }
    }

    /** The meters of one handler, message and outcome: the counter, and the timer once the handler ran. */
    private static final class DeliveryMeters {
        final Counter count;
        private final MeterRegistry registry;
        private final Tags tags;
        private volatile @Nullable Timer duration;

        DeliveryMeters(MeterRegistry registry, Tags handlerTags, String outcome) {
            this.registry = registry;
            this.tags = handlerTags.and("outcome", outcome);
            this.count = Counter.builder(DELIVERIES).description("Deliveries to handlers, by what they came to")
                    .tags(tags).register(registry);
        }

        /** Registered on first use: deliveries that never reach the handler (undecodable ones) make no timer. */
        Timer duration() {
            Timer timer = duration;
            if (timer == null) {
                timer = Timer.builder(HANDLER_DURATION).description("How long handlers ran, by outcome")
                        .tags(tags).register(registry);
                duration = timer;
            }
            return timer;
        }
    }

    /** The {@code outcome} tag of a delivery's outcome. */
    static String outcome(Outcome outcome) {
        if (outcome instanceof Outcome.Handled) {
            return "handled";
        }
        if (outcome instanceof Outcome.Retry) {
            return "retried";
        }
        if (outcome instanceof Outcome.DeadLettered) {
            return "dead_lettered";
        }
        return "requeued";
    }

    private Tags handlerTags(DeliveryKey key) {
        return common.and("handler", key.handler(), "message", key.name(),
                "version", key.version() < 0 ? UNKNOWN : Integer.toString(key.version()));
    }

    // ---------------------------------------------------------------- consumers and connections

    @Override
    public void consumerChanged(String handler, String queue, HandlerStatus.State state, @Nullable String detail) {
        handlerStates.computeIfAbsent(handler + "\u0000" + queue, key -> {
            AtomicReference<HandlerStatus.State> current = new AtomicReference<>(state);
            for (HandlerStatus.State each : HandlerStatus.State.values()) {
                Gauge.builder(HANDLER_STATUS, current, ref -> ref.get() == each ? 1 : 0)
                        .description("1 for the state a handler's consumer is in, 0 for the others")
                        .tags(common).tag("handler", handler).tag("queue", queue)
                        .tag("state", each.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
            return current;
        }).set(state);
    }

    @Override
    public void connectionChanged(String connection, ConnectionEvent event, @Nullable String detail) {
        String eventName = event.name().toLowerCase(Locale.ROOT);
        connectionEvents.computeIfAbsent(connection + "\u0000" + eventName, key -> Counter.builder(CONNECTION_EVENTS)
                .description("Connection events: blocked and unblocked by broker alarms, recovered after a loss")
                .tags(common).tag("connection", connection).tag("event", eventName)
                .register(registry)).increment();
        AtomicInteger isBlocked = blocked.computeIfAbsent(connection, name -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder(CONNECTION_BLOCKED, value, AtomicInteger::get)
                    .description("1 while the broker blocks the connection (a memory or disk alarm)")
                    .tags(common).tag("connection", name)
                    .register(registry);
            return value;
        });
        if (event == ConnectionEvent.BLOCKED) {
            isBlocked.set(1);
        } else if (event == ConnectionEvent.UNBLOCKED) {
            isBlocked.set(0);
        }
    }

    private record PublishKey(String name, int version) {
    }

    /** {@code version} -1: the message could not be decoded. */
    private record DeliveryKey(String handler, String name, int version, String outcome) {
    }

    private record DeadLetterKey(DeliveryKey delivery, String reason) {
    }
}
