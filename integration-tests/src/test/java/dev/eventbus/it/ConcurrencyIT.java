package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.MessageType;
import dev.eventbus.core.OrderingKey;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqCtl;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-handler concurrency, ordering by key and single active consumer where only the broker can tell: many keys on many
 * threads with failures retried in place keep every key's order, and a queue declared with
 * {@code x-single-active-consumer} delivers to one bus at a time, the other taking over when it stops. The scenarios
 * both buses share are in the testkit's {@code OrderingContract}.
 */
@RabbitMqTest
class ConcurrencyIT {

    private static final Logger log = LoggerFactory.getLogger(ConcurrencyIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    /**
     * With one handler thread the handlers run on the consumer connection's dispatch thread (no hand-off per delivery):
     * still one handler at a time across every subscription of the bus, each queue in its order, a failure retried.
     */
    @Test
    void oneHandlerThreadRunsOneHandlerAtATimeAcrossSubscriptionsInQueueOrder(TestBroker broker) {
        int perHandler = 200;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, String> threads = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        java.util.function.Function<String, Subscription> handler = name -> Subscription.of(OrderPlaced.class, name, message -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                threads.put(Thread.currentThread().getName(), name);
                if (name.equals("b") && message.payload().quantity() == 7 && failures.incrementAndGet() == 1) {
                    throw new IllegalStateException("fails once");
                }
                seen.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(message.payload().quantity());
                Thread.sleep(1);
            } finally {
                running.decrementAndGet();
            }
        });
        RabbitMqEventBus bus = broker.bus(b -> b.consumerThreads(1).retryPolicy(RetryPolicy.of(3, Duration.ofMillis(50)))
                .subscribe(handler.apply("a")).subscribe(handler.apply("b")).subscribe(handler.apply("c")));
        bus.admin().configure();
        bus.start();
        try {
            for (int seq = 0; seq < perHandler; seq++) {
                bus.publish(new OrderPlaced("order-" + seq, seq));
            }
            Await.until("every message handled by the three handlers", TIMEOUT,
                    () -> seen.values().stream().mapToInt(List::size).sum() == 3 * perHandler, seen::toString);
            assertEquals(1, most.get(), "one handler at a time across the bus");
            assertEquals(1, threads.size(), "one handler thread: " + threads.keySet());
            assertTrue(threads.keySet().iterator().next().startsWith("eventbus-handler-"), threads.keySet().toString());
            for (String name : List.of("a", "c")) {
                assertEquals(java.util.stream.IntStream.range(0, perHandler).boxed().toList(), seen.get(name),
                        name + " handled its queue in publish order");
            }
            assertEquals(perHandler, seen.get("b").stream().distinct().count(), "b handled each once, 7 after its retry");
            assertEquals(2, failures.get(), "b's message 7 failed once, then passed on its retry");
        } finally {
            bus.stop();
        }
    }

    @Test
    void thousandKeysOnSixteenThreadsWithRetriesHaveNoOrderViolation(TestBroker broker) {
        int keys = 1000;
        int perKey = 4;
        Map<String, Integer> last = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> failed = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Subscription ordered = Subscription.of(OrderPlaced.class, "ship_order", message -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                OrderPlaced order = message.payload();
                // one key in 20 fails its message 1 twice: retried in place while its messages 2 and 3 wait
                if (order.quantity() == 1 && Math.floorMod(order.orderId().hashCode(), 20) == 0
                        && failed.computeIfAbsent(order.orderId(), k -> new AtomicInteger()).incrementAndGet() <= 2) {
                    throw new IllegalStateException("fails twice: " + order);
                }
                Integer previous = last.put(order.orderId(), order.quantity());
                int expected = previous == null ? 0 : previous + 1;
                if (order.quantity() != expected) {
                    violations.add(order.orderId() + ": " + order.quantity() + " after " + previous);
                }
                handled.incrementAndGet();
            } finally {
                running.decrementAndGet();
            }
        }).orderedBy(OrderingKey.attribute("order_id")).withConcurrency(16);
        RabbitMqEventBus bus = broker.bus(b -> b.consumerThreads(1).retryPolicy(RetryPolicy.of(5, Duration.ofMillis(20)))
                .subscribe(ordered));
        bus.admin().configure();
        bus.start();
        try {
            for (int seq = 0; seq < perKey; seq++) {
                for (int key = 0; key < keys; key++) {
                    bus.publish(new OrderPlaced("order-" + key, seq));
                }
            }
            Await.until("every message handled", TIMEOUT, () -> handled.get() == keys * perKey,
                    () -> handled.get() + " handled, violations " + violations);
            log.info("ordered: {} handled over {} keys, {} keys retried, at most {} at once, violations {}", handled.get(), keys,
                    failed.size(), most.get(), violations.size());
            assertEquals(List.of(), violations, "no key handled out of publish order");
            assertTrue(failed.values().stream().allMatch(count -> count.get() == 3), "failing keys failed twice then passed: "
                    + failed);
            assertTrue(failed.size() > 10, "some keys were retried: " + failed.size());
            assertTrue(most.get() > 1 && most.get() <= 16, "keys ran in parallel, within the concurrency: " + most.get());
        } finally {
            bus.stop();
        }
    }

    @Test
    void singleActiveConsumerDeliversToOneBusAtATimeAndHandsOverWhenItStops(TestBroker broker) {
        List<Integer> first = new CopyOnWriteArrayList<>();
        List<Integer> second = new CopyOnWriteArrayList<>();
        // one handler thread each: the single active consumer orders across the buses, one thread within the active one
        RabbitMqEventBus one = broker.bus(b -> b.consumerThreads(1).subscribe(Subscription.of(OrderPlaced.class, "ship_order",
                m -> first.add(m.payload().quantity())).withSingleActiveConsumer()));
        RabbitMqEventBus two = broker.bus(b -> b.consumerThreads(1).subscribe(Subscription.of(OrderPlaced.class, "ship_order",
                m -> second.add(m.payload().quantity())).withSingleActiveConsumer()));
        one.admin().configure();
        String queue = broker.convention().handlerQueue(MessageType.of(OrderPlaced.class), "ship_order");
        RabbitMqCtl.QueueInfo info = broker.ctl().listQueues().stream().filter(q -> q.name().equals(queue)).findFirst()
                .orElseThrow(() -> new AssertionError("no queue " + queue));
        assertEquals(Boolean.TRUE, info.arguments().get(Topology.SINGLE_ACTIVE_CONSUMER), "declared with " + info.arguments());
        one.start();
        two.start();
        try {
            for (int i = 0; i < 20; i++) {
                one.publish(new OrderPlaced("o-" + i, i));
            }
            Await.received("the active consumer", 20, first, TIMEOUT);
            assertEquals(List.of(), second, "the second bus consumes the queue too but receives nothing while the first is active");
            assertEquals(java.util.stream.IntStream.range(0, 20).boxed().toList(), first, "in publish order");

            one.stop();
            for (int i = 20; i < 40; i++) {
                two.publish(new OrderPlaced("o-" + i, i));
            }
            Await.received("the consumer that took over", 20, second, TIMEOUT);
            assertEquals(java.util.stream.IntStream.range(20, 40).boxed().toList(), second, "in publish order");
            assertEquals(20, first.size(), "the stopped bus received nothing more");
        } finally {
            one.stop();
            two.stop();
        }
    }
}
