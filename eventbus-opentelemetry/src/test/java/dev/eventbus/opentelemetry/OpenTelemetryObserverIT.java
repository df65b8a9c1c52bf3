package dev.eventbus.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.Event;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@RabbitMqTest
class OpenTelemetryObserverIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    record TaskCreated(String taskId) implements Event {
    }

    record TaskCompleted(String taskId) implements Event {
    }

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final SdkTracerProvider tracing = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(tracing).build();

    @AfterEach
    void closeTracing() {
        tracing.close();
    }

    @Test
    void onePublishItsFailedAttemptItsRetryAndWhatTheHandlerPublishedAreOneTrace(TestBroker broker) {
        AtomicInteger attempts = new AtomicInteger();
        List<Message<TaskCompleted>> completed = new CopyOnWriteArrayList<>();
        RabbitMqEventBus[] bus = new RabbitMqEventBus[1];
        // tag::setup[]
        bus[0] = broker.bus(b -> b
                .observer(OpenTelemetryObserver.of(openTelemetry))
                // end::setup[]
                .retryPolicy(RetryPolicy.of(3, Duration.ofMillis(100)))
                .subscribe(Subscription.of(TaskCreated.class, "complete_task", m -> {
                    if (attempts.incrementAndGet() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                    bus[0].publish(new TaskCompleted(m.payload().taskId()));
                }))
                .subscribe(Subscription.of(TaskCompleted.class, "on_completed", completed::add)));
        bus[0].admin().configure();
        bus[0].start();

        Message<TaskCreated> first = Message.of(new TaskCreated("t-1"));
        bus[0].publish(first);

        Await.received("on_completed", 1, completed, TIMEOUT);
        // 2 producer spans, 3 consumer spans (two attempts of complete_task, one of on_completed)
        List<SpanData> all = Await.untilValue("five spans", TIMEOUT, spans::getFinishedSpanItems, s -> s.size() >= 5);
        assertEquals(5, all.size(), () -> describe(all));
        assertEquals(1, all.stream().map(SpanData::getTraceId).distinct().count(), () -> "one trace: " + describe(all));

        String exchange = broker.convention().mainExchange();
        SpanData publishCreated = one(all, span -> span.getKind() == SpanKind.PRODUCER
                && "task.created".equals(attribute(span, "eventbus.message.name")));
        assertEquals("publish " + exchange, publishCreated.getName());
        assertEquals("rabbitmq", attribute(publishCreated, "messaging.system"));
        assertEquals(exchange, attribute(publishCreated, "messaging.destination.name"));
        assertEquals("publish", attribute(publishCreated, "messaging.operation"));
        assertEquals(first.id(), attribute(publishCreated, "messaging.message.id"));
        assertEquals(broker.convention().routingKey(first), attribute(publishCreated, "messaging.rabbitmq.destination.routing_key"));
        assertTrue(!publishCreated.getParentSpanContext().isValid(), "the first publish starts the trace");

        String queue = broker.convention().handlerQueue(MessageType.of(TaskCreated.class), "complete_task");
        SpanData failedAttempt = one(all, span -> span.getKind() == SpanKind.CONSUMER
                && Long.valueOf(1).equals(span.getAttributes().get(OpenTelemetryObserver.ATTEMPT))
                && "complete_task".equals(attribute(span, "eventbus.handler")));
        assertEquals("process " + queue, failedAttempt.getName());
        assertEquals(queue, attribute(failedAttempt, "messaging.destination.name"));
        assertEquals("process", attribute(failedAttempt, "messaging.operation"));
        assertEquals(first.id(), attribute(failedAttempt, "messaging.message.id"));
        assertEquals(StatusCode.ERROR, failedAttempt.getStatus().getStatusCode());
        assertEquals("retried", attribute(failedAttempt, "eventbus.outcome"));
        assertEquals(publishCreated.getSpanId(), failedAttempt.getParentSpanId(), "the attempt is the publish's child");

        SpanData retry = one(all, span -> span.getKind() == SpanKind.CONSUMER
                && Long.valueOf(2).equals(span.getAttributes().get(OpenTelemetryObserver.ATTEMPT)));
        assertEquals(publishCreated.getSpanId(), retry.getParentSpanId(), "the retried copy kept the trace context");
        assertEquals("handled", attribute(retry, "eventbus.outcome"));
        assertEquals(StatusCode.UNSET, retry.getStatus().getStatusCode());

        SpanData publishCompleted = one(all, span -> span.getKind() == SpanKind.PRODUCER
                && "task.completed".equals(attribute(span, "eventbus.message.name")));
        assertEquals(retry.getSpanId(), publishCompleted.getParentSpanId(), "published by the handler: the attempt's child");
        assertEquals(first.id(), attribute(publishCompleted, "messaging.message.conversation_id"), "the correlation id");

        SpanData onCompleted = one(all, span -> "on_completed".equals(attribute(span, "eventbus.handler")));
        assertEquals(publishCompleted.getSpanId(), onCompleted.getParentSpanId());

        Message<TaskCompleted> received = completed.get(0);
        String traceparent = String.valueOf(received.meta().get(OpenTelemetryObserver.TRACEPARENT));
        assertEquals("00-" + publishCompleted.getTraceId() + "-" + publishCompleted.getSpanId() + "-01", traceparent,
                "meta carries the W3C traceparent of the producer span");
    }

    @Test
    void aDeadLetterKeepsTheTraceContextAndEveryAttemptIsInTheTrace(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.observer(OpenTelemetryObserver.of(openTelemetry))
                .retryPolicy(RetryPolicy.of(1, Duration.ofMillis(100)))
                .subscribe(Subscription.of(TaskCreated.class, "always_fails", m -> {
                    throw new IllegalStateException("never works");
                })));
        bus.admin().configure();
        bus.start();
        bus.publish(new TaskCreated("t-1"));

        String queue = broker.convention().handlerQueue(MessageType.of(TaskCreated.class), "always_fails");
        List<DeadLetter> letters = Await.untilValue("a dead letter", TIMEOUT, () -> bus.admin().deadLetters().peek(queue, 10),
                seen -> !seen.isEmpty());
        List<SpanData> all = Await.untilValue("publish and two attempts", TIMEOUT, spans::getFinishedSpanItems,
                s -> s.size() >= 3);
        assertEquals(1, all.stream().map(SpanData::getTraceId).distinct().count(), () -> describe(all));
        SpanData last = one(all, span -> "dead_lettered".equals(attribute(span, "eventbus.outcome")));
        assertEquals("max_retries_exceeded", attribute(last, "eventbus.dead_letter.reason"));
        assertEquals(StatusCode.ERROR, last.getStatus().getStatusCode());
        assertTrue(last.getEvents().stream().anyMatch(event -> event.getName().equals("exception")), "the failure is recorded");

        Message<?> letter = bus.codec().decode(letters.get(0).body());
        Object traceparent = letter.meta().get(OpenTelemetryObserver.TRACEPARENT);
        assertNotNull(traceparent, "the dead letter's meta keeps the traceparent: " + letter.meta());
        assertTrue(traceparent.toString().contains(last.getTraceId()), traceparent + " names trace " + last.getTraceId());
    }

    private static String attribute(SpanData span, String key) {
        return span.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(key));
    }

    private static SpanData one(List<SpanData> all, java.util.function.Predicate<SpanData> which) {
        List<SpanData> matching = all.stream().filter(which).toList();
        assertEquals(1, matching.size(), () -> "one matching span expected among " + describe(all));
        return matching.get(0);
    }

    private static String describe(List<SpanData> all) {
        return all.stream().map(span -> span.getKind() + " " + span.getName() + " " + span.getSpanId() + " parent "
                + span.getParentSpanId() + " " + span.getAttributes()).collect(Collectors.joining("\n  ", "\n  ", ""));
    }
}
