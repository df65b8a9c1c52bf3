package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Message;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.it.Events.SendWelcomeMail;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.it.Events.UserCreatedV2;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@RabbitMqTest
class PublishConsumeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void aPublishedEventReachesItsHandlerWithIdTimeAndMeta(TestBroker broker) {
        List<Message<UserCreated>> received = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "send_mail_handler", received::add)));
        bus.admin().configure();
        bus.start();
        Message<UserCreated> sent = Message.of(new UserCreated("u-1", "Alice")).withMeta("correlation_id", "c-42");

        bus.publish(sent);

        Await.until("one UserCreated handled", TIMEOUT, () -> received.size() == 1, received::toString);
        Message<UserCreated> got = received.get(0);
        assertEquals(sent.id(), got.id());
        assertEquals(sent.payload(), got.payload());
        assertEquals(sent.occurredOn(), got.occurredOn());
        assertEquals(Map.of("correlation_id", "c-42"), got.meta());
    }

    @Test
    void messagesAreRoutedByNameVersionAndKind(TestBroker broker) {
        List<String> seen = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(
                Subscription.of(UserCreated.class, "v1_handler", m -> seen.add("v1 " + m.payload().name())),
                Subscription.of(UserCreatedV2.class, "v2_handler", m -> seen.add("v2 " + m.payload().email())),
                Subscription.of(SendWelcomeMail.class, "mailer", m -> seen.add("command " + m.payload().email()))));
        bus.admin().configure();
        bus.start();

        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new UserCreatedV2("u-2", "Bob", "bob@example.com"));
        bus.publish(new SendWelcomeMail("carol@example.com"));

        Await.until("three messages handled", TIMEOUT, () -> seen.size() == 3, seen::toString);
        assertEquals(Set.of("v1 Alice", "v2 bob@example.com", "command carol@example.com"), Set.copyOf(seen));
    }

    @Test
    void aServiceHandlesWhatAnotherServicePublishesAndRetriesItsOwnFailures(TestBroker broker) {
        List<String> attempts = new CopyOnWriteArrayList<>();
        RabbitMqEventBus accounts = broker.bus(b -> b.service("accounts"));
        RabbitMqEventBus mailer = broker.bus(b -> b.service("mailer").retryPolicy(dev.eventbus.core.RetryPolicy.of(2, Duration.ofMillis(100)))
                .subscribe(Subscription.of(UserCreated.class, "welcome", message -> {
                    attempts.add(message.payload().name());
                    if (attempts.size() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                }).from("accounts")));
        accounts.admin().configure();
        mailer.admin().configure();
        mailer.start();

        accounts.publish(new UserCreated("u-1", "Alice"));

        Await.until("handled after one retry", TIMEOUT, () -> attempts.size() == 2, attempts::toString);
        assertEquals(List.of("Alice", "Alice"), attempts);
        String queue = mailer.convention().handlerQueue(dev.eventbus.core.MessageType.of(UserCreated.class), "welcome");
        assertEquals(broker.organization() + ".mailer.1.event.user_created.welcome", queue);
        mailer.pause("welcome"); // clear() is refused while handlers consume
        mailer.admin().clear();
        assertTrue(broker.ctl().listExchanges().stream().anyMatch(e -> e.name().equals(broker.organization() + ".accounts")),
                "clear() of the subscriber leaves the publisher's exchange alone");
    }

    @Test
    void concurrentPublishersThroughOneBusLoseNothingAndDuplicateNothing(TestBroker broker) throws Exception {
        int threads = 8;
        int perThread = 250;
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        RabbitMqEventBus bus = broker.bus(b -> b.prefetch(100).subscribe(Subscription.of(OrderPlaced.class, "counter",
                m -> deliveries.computeIfAbsent(m.payload().orderId(), id -> new AtomicInteger()).incrementAndGet())));
        bus.admin().configure();
        bus.start();

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> publishers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            publishers.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    bus.publish(new OrderPlaced(thread + "-" + i, i));
                }
            }));
        }
        for (Future<?> publisher : publishers) {
            publisher.get();
        }
        pool.shutdown();

        int total = threads * perThread;
        Await.until(total + " distinct orders handled", TIMEOUT, () -> deliveries.size() == total,
                () -> deliveries.size() + " distinct handled");
        List<String> duplicated = deliveries.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey).toList();
        assertEquals(List.of(), duplicated, "orders handled more than once");
    }

    @Test
    void aListIsPublishedWithAllInFlightAndEveryOneArrives(TestBroker broker) {
        ConcurrentLinkedQueue<Integer> quantities = new ConcurrentLinkedQueue<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(OrderPlaced.class, "counter",
                m -> quantities.add(m.payload().quantity()))));
        bus.admin().configure();
        bus.start();
        List<OrderPlaced> orders = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            orders.add(new OrderPlaced("o-" + i, i));
        }

        bus.publish(orders);

        Await.until("300 orders handled", TIMEOUT, () -> quantities.size() == 300, () -> quantities.size() + " handled");
        assertEquals(300, Set.copyOf(quantities).size());
    }

    @Test
    void anAsyncPublishCompletesWhenTheBrokerConfirms(TestBroker broker) throws Exception {
        List<String> names = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "h", m -> names.add(m.payload().name()))));
        bus.admin().configure();
        bus.start();

        bus.publishAsync(Message.of(new UserCreated("u-9", "Zoe"))).get();

        Await.until("Zoe handled", TIMEOUT, () -> names.contains("Zoe"), names::toString);
        assertTrue(bus.health().handlers().stream().allMatch(status -> status.healthy()), bus.health().toString());
    }
}
