package dev.eventbus.opentelemetry;

import dev.eventbus.core.Delivery;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.EventBusObserver;
import dev.eventbus.core.Message;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.core.pipeline.Outcome;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Traces a bus with OpenTelemetry, following the messaging semantic conventions: register it on the bus's builder.
 *
 * <pre>{@code
 * RabbitMqEventBus bus = RabbitMqEventBus.builder()
 *         .organization("alice").service("petisco")
 *         .observer(OpenTelemetryObserver.of(openTelemetry))
 *         ...
 * }</pre>
 *
 * <ul>
 *   <li>a {@link SpanKind#PRODUCER PRODUCER} span {@code publish <exchange>} per publish, from the publish call to the
 *       broker's confirm (an error status when it was not confirmed or unroutable), a child of the span current on the
 *       publishing thread;</li>
 *   <li>the W3C trace context of that span ({@value #TRACEPARENT}, {@value #TRACESTATE}) written into the message's
 *       {@code meta}, which petisco services carry unharmed and which retried and dead-lettered copies keep (the
 *       body is not changed), so every attempt of a message is in the publisher's trace;</li>
 *   <li>a {@link SpanKind#CONSUMER CONSUMER} span {@code process <queue>} per handling attempt, a child of the
 *       producer span found in the meta, current on the handler thread while the handler runs: what the handler
 *       publishes is its child. It ends when the delivery's outcome is known (an error status for a failed attempt,
 *       with the exception and an {@code eventbus.outcome} of {@code retried} or {@code dead_lettered}).</li>
 * </ul>
 * Attributes: {@code messaging.system=rabbitmq}, {@code messaging.destination.name} (the exchange when publishing, the
 * queue when processing), {@code messaging.operation} and {@code messaging.operation.type}, {@code messaging.message.id},
 * {@code messaging.message.conversation_id} (the correlation id), {@code messaging.rabbitmq.destination.routing_key},
 * {@code messaging.consumer.group.name} (the handler), and {@code eventbus.message.name}, {@code eventbus.message.version},
 * {@code eventbus.handler}, {@code eventbus.attempt}, {@code eventbus.outcome}, {@code eventbus.dead_letter.reason},
 * {@code eventbus.retry.delay_ms}. Deliveries that never reach a handler (undecodable bodies) make no span.
 *
 * <p>Thread-safe. Producer spans wait for their confirm in a map by message id, bounded at 10,000 messages: beyond
 * that (messages stored in an outbox and sent much later, or elsewhere) a producer span ends when the message is
 * prepared, without waiting.
 */
public final class OpenTelemetryObserver implements EventBusObserver {

    /** The meta key of the W3C trace context's {@code traceparent}. */
    public static final String TRACEPARENT = "traceparent";
    /** The meta key of the W3C trace context's {@code tracestate} (only present when there is one). */
    public static final String TRACESTATE = "tracestate";
    /** The instrumentation scope name of the tracer. */
    public static final String INSTRUMENTATION_NAME = "dev.eventbus.opentelemetry";
    static final int MAX_PENDING = 10_000;

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> CONVERSATION_ID = AttributeKey.stringKey("messaging.message.conversation_id");
    static final AttributeKey<String> ROUTING_KEY = AttributeKey.stringKey("messaging.rabbitmq.destination.routing_key");
    static final AttributeKey<String> CONSUMER_GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    static final AttributeKey<String> MESSAGE_NAME = AttributeKey.stringKey("eventbus.message.name");
    static final AttributeKey<Long> MESSAGE_VERSION = AttributeKey.longKey("eventbus.message.version");
    static final AttributeKey<String> HANDLER = AttributeKey.stringKey("eventbus.handler");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("eventbus.attempt");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("eventbus.outcome");
    static final AttributeKey<String> DEAD_LETTER_REASON = AttributeKey.stringKey("eventbus.dead_letter.reason");
    static final AttributeKey<Long> RETRY_DELAY = AttributeKey.longKey("eventbus.retry.delay_ms");

    private static final TextMapGetter<Map<String, Object>> META = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, Object> carrier) {
            return carrier.keySet();
        }

        @Override
        public @Nullable String get(@Nullable Map<String, Object> carrier, String key) {
            Object value = carrier == null ? null : carrier.get(key);
            return value == null ? null : value.toString();
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final Map<String, Span> publishing = new ConcurrentHashMap<>();
    /** The handling span of this handler thread, from {@link #handling} to {@link #delivered}. */
    private final ThreadLocal<Span> processing = new ThreadLocal<>();

    private OpenTelemetryObserver(OpenTelemetry openTelemetry, TextMapPropagator propagator) {
        this.tracer = Objects.requireNonNull(openTelemetry, "openTelemetry").getTracer(INSTRUMENTATION_NAME);
        this.propagator = Objects.requireNonNull(propagator, "propagator");
    }

    /** An observer that traces with this OpenTelemetry and carries W3C trace context in meta. */
    public static OpenTelemetryObserver of(OpenTelemetry openTelemetry) {
        return new OpenTelemetryObserver(openTelemetry, W3CTraceContextPropagator.getInstance());
    }

    /**
     * An observer that carries trace context in meta with this propagator instead of W3C's (e.g.
     * {@code openTelemetry.getPropagators().getTextMapPropagator()} for the context and baggage the SDK is configured
     * with); its fields become meta keys.
     */
    public static OpenTelemetryObserver of(OpenTelemetry openTelemetry, TextMapPropagator propagator) {
        return new OpenTelemetryObserver(openTelemetry, propagator);
    }

    // ---------------------------------------------------------------- publishing

    /** Starts the message's producer span and writes its trace context into the message's meta. */
    @Override
    public Message<?> beforePublish(Message<?> message) {
        Span span = tracer.spanBuilder("publish").setSpanKind(SpanKind.PRODUCER)
                .setAttribute(SYSTEM, "rabbitmq")
                .setAttribute(OPERATION, "publish")
                .setAttribute(OPERATION_TYPE, "send")
                .setAttribute(MESSAGE_ID, message.id())
                .setAttribute(MESSAGE_NAME, message.name())
                .setAttribute(MESSAGE_VERSION, (long) message.version())
                .setAttribute(CONVERSATION_ID, message.correlationId().orElse(message.id()))
                .startSpan();
        Map<String, Object> meta = new LinkedHashMap<>(message.meta());
        // a message published again (a retried publish) gets the new span's context, not the old one's
        meta.remove(TRACEPARENT);
        meta.remove(TRACESTATE);
        propagator.inject(Context.current().with(span), meta, (carrier, key, value) -> carrier.put(key, value));
        if (publishing.size() >= MAX_PENDING) {
            span.end();
        } else {
            Span previous = publishing.put(message.id(), span);
            if (previous != null) {
                previous.end();
            }
        }
        return message.withMeta(meta);
    }

    @Override
    public void published(EncodedMessage message) {
        Span span = publishing.get(message.id());
        if (span != null) {
            span.updateName("publish " + message.exchange());
            span.setAttribute(DESTINATION, message.exchange());
            span.setAttribute(ROUTING_KEY, message.routingKey());
        }
    }

    @Override
    public void confirmed(EncodedMessage message, Duration latency) {
        Span span = publishing.remove(message.id());
        if (span != null) {
            span.end();
        }
    }

    @Override
    public void publishFailed(EncodedMessage message, Throwable failure) {
        failed(message, failure, "failed");
    }

    @Override
    public void returned(EncodedMessage message, Throwable failure) {
        failed(message, failure, "unroutable");
    }

    private void failed(EncodedMessage message, Throwable failure, String outcome) {
        Span span = publishing.remove(message.id());
        if (span != null) {
            span.setAttribute(OUTCOME, outcome);
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, outcome);
            span.end();
        }
    }

    // ---------------------------------------------------------------- delivering

    /** Starts the attempt's consumer span, a child of the trace context in the message's meta, and makes it current. */
    @Override
    public Scope handling(Endpoint endpoint, Message<?> message, Delivery delivery) {
        endLeftover();
        Context parent = propagator.extract(Context.root(), message.meta(), META);
        Span span = tracer.spanBuilder("process " + endpoint.queue()).setSpanKind(SpanKind.CONSUMER).setParent(parent)
                .setAttribute(SYSTEM, "rabbitmq")
                .setAttribute(DESTINATION, endpoint.queue())
                .setAttribute(OPERATION, "process")
                .setAttribute(OPERATION_TYPE, "process")
                .setAttribute(MESSAGE_ID, message.id())
                .setAttribute(CONVERSATION_ID, message.correlationId().orElse(message.id()))
                .setAttribute(ROUTING_KEY, delivery.routingKey())
                .setAttribute(CONSUMER_GROUP, endpoint.handlerName())
                .setAttribute(MESSAGE_NAME, message.name())
                .setAttribute(MESSAGE_VERSION, (long) message.version())
                .setAttribute(HANDLER, endpoint.handlerName())
                .setAttribute(ATTEMPT, (long) delivery.attempt())
                .startSpan();
        processing.set(span);
        io.opentelemetry.context.Scope current = span.makeCurrent();
        return current::close;
    }

    /** Ends the attempt's span with its outcome (on the handler thread, right after the handler returned). */
    @Override
    public void delivered(Endpoint endpoint, Outcome outcome, Duration duration) {
        Span span = processing.get();
        if (span == null) {
            return; // the handler never ran: no span
        }
        processing.remove();
        if (outcome instanceof Outcome.Handled) {
            span.setAttribute(OUTCOME, "handled");
        } else if (outcome instanceof Outcome.Retry retry) {
            span.setAttribute(OUTCOME, "retried");
            span.setAttribute(RETRY_DELAY, retry.delay().toMillis());
            span.recordException(retry.failure());
            span.setStatus(StatusCode.ERROR, "attempt " + retry.attempt() + " failed; retried");
        } else if (outcome instanceof Outcome.DeadLettered dead) {
            span.setAttribute(OUTCOME, "dead_lettered");
            span.setAttribute(DEAD_LETTER_REASON, dead.reason().wireValue());
            span.recordException(dead.failure());
            span.setStatus(StatusCode.ERROR, "dead-lettered: " + dead.reason().wireValue());
        } else if (outcome instanceof Outcome.Requeue requeue) {
            span.setAttribute(OUTCOME, "requeued");
            span.recordException(requeue.failure());
        }
        span.end();
    }

    /** A span a previous delivery of this thread left open (it never reported an outcome): ended now. */
    private void endLeftover() {
        Span leftover = processing.get();
        if (leftover != null) {
            processing.remove();
            leftover.end();
        }
    }

    /** Spans waiting for their confirm, for tests. */
    int pendingPublishes() {
        return publishing.size();
    }
}
