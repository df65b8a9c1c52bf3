package dev.eventbus.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Event;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.UnroutableMessageException;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@RabbitMqTest
class MicrometerObserverIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    record OrderPlaced(String orderId) implements Event {
    }

    record OrderShipped(String orderId) implements Event {
    }

    record OrderCancelled(String orderId) implements Event {
    }

    @Test
    void countsAndTimesSuccessesRetriesAndDeadLettersInASimpleMeterRegistry(TestBroker broker) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RabbitMqEventBus bus = run(broker, registry);

        String org = broker.organization();
        String service = broker.service();
        assertEquals(4.0, counter(registry, MicrometerObserver.PUBLISH, "message", "order.placed", "outcome", "confirmed"),
                "four order.placed confirmed");
        assertEquals(1.0, counter(registry, MicrometerObserver.PUBLISH, "message", "order.shipped", "outcome", "confirmed"));
        assertEquals(1.0, counter(registry, MicrometerObserver.PUBLISH, "message", "order.cancelled", "outcome", "unroutable"),
                "the unroutable publish is told apart from other failures");
        assertEquals(0.0, counter(registry, MicrometerObserver.PUBLISH, "outcome", "failed"));
        Timer confirm = registry.find(MicrometerObserver.PUBLISH_CONFIRM).tags("organization", org, "service", service,
                "message", "order.placed", "version", "1").timer();
        assertNotNull(confirm, "the confirm timer of order.placed");
        assertEquals(4, confirm.count());
        assertTrue(confirm.totalTime(TimeUnit.NANOSECONDS) > 0, "confirm latency recorded");
        Gauge inFlight = registry.find(MicrometerObserver.PUBLISH_IN_FLIGHT).gauge();
        assertNotNull(inFlight);
        assertEquals(0.0, inFlight.value(), "nothing awaits a confirm after the run");

        // order.placed: 3 handled at once by "ship"; 1 fails first at "ship" then is handled on its retry
        assertEquals(4.0, counter(registry, MicrometerObserver.DELIVERIES, "handler", "ship", "outcome", "handled"));
        assertEquals(1.0, counter(registry, MicrometerObserver.DELIVERIES, "handler", "ship", "outcome", "retried"));
        // order.shipped: "notify" always fails: 2 retries, then a dead letter
        assertEquals(2.0, counter(registry, MicrometerObserver.DELIVERIES, "handler", "notify", "outcome", "retried"));
        assertEquals(1.0, counter(registry, MicrometerObserver.DELIVERIES, "handler", "notify", "outcome", "dead_lettered"));
        assertEquals(1.0, counter(registry, MicrometerObserver.DEAD_LETTERS, "handler", "notify", "message", "order.shipped",
                "reason", "max_retries_exceeded"));

        Timer handled = registry.find(MicrometerObserver.HANDLER_DURATION).tags("handler", "ship", "message", "order.placed",
                "outcome", "handled").timer();
        assertNotNull(handled, "the handler timer of ship");
        assertEquals(4, handled.count());
        assertTrue(handled.max(TimeUnit.MILLISECONDS) >= 5, "ship sleeps 5 ms: max " + handled.max(TimeUnit.MILLISECONDS));
        Timer failedRuns = registry.find(MicrometerObserver.HANDLER_DURATION).tags("handler", "notify", "outcome", "retried")
                .timer();
        assertNotNull(failedRuns);
        assertEquals(2, failedRuns.count());

        String queue = broker.convention().handlerQueue(dev.eventbus.core.MessageType.of(OrderPlaced.class), "ship");
        assertEquals(1.0, status(registry, "ship", queue, "consuming"));
        bus.pause("ship");
        assertEquals(1.0, status(registry, "ship", queue, "paused"), "pausing is seen on the status gauge");
        assertEquals(0.0, status(registry, "ship", queue, "consuming"));
        bus.resume("ship");
        assertEquals(1.0, status(registry, "ship", queue, "consuming"));
    }

    /**
     * The Prometheus scrape of such a run, with histograms for the two timers, written to
     * {@code target/prometheus-scrape.txt}: docs/observability.md shows one (copied into src/test/resources).
     */
    @Test
    void rendersAPrometheusScrape(TestBroker broker) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(histograms());
        run(broker, registry);
        String scrape = registry.scrape();
        for (String name : new String[] {"eventbus_publish_total", "eventbus_publish_confirm_seconds_bucket{",
                "eventbus_publish_in_flight", "eventbus_deliveries_total", "eventbus_dead_letters_total",
                "eventbus_handler_duration_seconds_bucket", "eventbus_handler_status"}) {
            assertTrue(scrape.contains(name), () -> name + " missing from the scrape:\n" + scrape);
        }
        assertTrue(!scrape.matches("(?s).*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}.*"),
                () -> "no message id in any tag:\n" + scrape);
        Path out = Path.of("target", "prometheus-scrape.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, scrape.replace(broker.organization(), "alice").replace(broker.service(), "orders"));
    }

    // tag::histograms[]
    /** Histogram buckets for the eventbus timers (for histogram_quantile): 5 ms, 25 ms, 100 ms, 500 ms and 2.5 s. */
    static MeterFilter histograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(io.micrometer.core.instrument.Meter.Id id,
                                                         DistributionStatisticConfig config) {
                if (!id.getName().startsWith("eventbus.")) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .serviceLevelObjectives(millis(5), millis(25), millis(100), millis(500), millis(2500))
                        .build().merge(config);
            }
        };
    }

    private static double millis(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }
    // end::histograms[]

    private static RabbitMqEventBus run(TestBroker broker, MeterRegistry registry) {
        AtomicInteger shipCalls = new AtomicInteger();
        AtomicInteger notifyCalls = new AtomicInteger();
        AtomicInteger shipped = new AtomicInteger();
        // tag::setup[]
        RabbitMqEventBus bus = broker.bus(b -> b
                .observer(MicrometerObserver.of(registry, broker.organization(), broker.service()))
                // end::setup[]
                .retryPolicy(RetryPolicy.of(2, Duration.ofMillis(100)))
                .subscribe(Subscription.of(OrderPlaced.class, "ship", m -> {
                    if (m.payload().orderId().equals("o-4") && shipCalls.incrementAndGet() == 1) {
                        throw new IllegalStateException("the warehouse is busy");
                    }
                    Thread.sleep(5);
                    shipped.incrementAndGet();
                }))
                .subscribe(Subscription.of(OrderShipped.class, "notify", m -> {
                    notifyCalls.incrementAndGet();
                    throw new IllegalStateException("the mail server is down");
                })));
        bus.admin().configure();
        bus.start();
        for (int i = 1; i <= 4; i++) {
            bus.publish(new OrderPlaced("o-" + i));
        }
        bus.publish(new OrderShipped("o-1"));
        try {
            bus.publish(new OrderCancelled("o-2")); // no handler: unroutable
            throw new AssertionError("an unroutable publish should fail");
        } catch (UnroutableMessageException expected) {
            // counted as unroutable
        }
        String deadLetters = broker.convention().handlerQueue(dev.eventbus.core.MessageType.of(OrderShipped.class), "notify");
        Await.until("4 shipped and notify dead-lettered", TIMEOUT,
                () -> shipped.get() == 4 && bus.admin().deadLetters().count(deadLetters) == 1,
                () -> shipped.get() + " shipped, " + notifyCalls.get() + " notify attempts");
        // the dead letter is counted once the pipeline reported its outcome, just before the message is settled
        Await.until("the outcomes are counted", TIMEOUT,
                () -> registry.find(MicrometerObserver.DELIVERIES).counters().stream().mapToDouble(Counter::count).sum() == 8,
                () -> registry.find(MicrometerObserver.DELIVERIES).counters().toString());
        return bus;
    }

    private static double counter(MeterRegistry registry, String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static double status(MeterRegistry registry, String handler, String queue, String state) {
        Gauge gauge = registry.find(MicrometerObserver.HANDLER_STATUS).tags("handler", handler, "queue", queue, "state", state)
                .gauge();
        assertNotNull(gauge, () -> "no status gauge of " + handler + " in state " + state);
        return gauge.value();
    }
}
