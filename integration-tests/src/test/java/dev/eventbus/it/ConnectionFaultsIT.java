package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Message;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.ConnectionRecovery;
import dev.eventbus.rabbitmq.PublishException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.internal.connection.RabbitMqConnector;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.FaultProxy;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Network faults on one bus's own connections, through a {@link FaultProxy}: a half-open link, a cut. The broker and
 * every other test's connections are untouched.
 */
@RabbitMqTest
class ConnectionFaultsIT {

    @Test
    void aBlockingPublishReturnsWithinItsTimeoutOnAHalfOpenConnection(TestBroker broker) throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        try (FaultProxy proxy = FaultProxy.to(broker)) {
            // a heartbeat far longer than the timeout: only the publisher's own deadline can end the calls in time
            RabbitMqEventBus bus = broker.bus(b -> b.connection(proxy.settings(broker)).heartbeat(Duration.ofSeconds(60))
                    .publishTimeout(timeout).subscribe(Subscription.of(UserCreated.class, "h", m -> { })));
            bus.admin().configure();
            bus.publish(new UserCreated("u-0", "before"));
            proxy.stall();
            String megabyte = "x".repeat(1024 * 1024);
            ExecutorService publishers = Executors.newFixedThreadPool(4);
            try {
                List<Future<Long>> calls = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int n = i;
                    calls.add(publishers.submit(() -> {
                        long start = System.nanoTime();
                        try {
                            bus.publish(new UserCreated("u-" + n, megabyte));
                        } catch (PublishException e) {
                            // not confirmed in time: expected on a half-open link
                        }
                        return Duration.ofNanos(System.nanoTime() - start).toMillis();
                    }));
                }
                for (Future<Long> call : calls) {
                    long took = call.get(30, TimeUnit.SECONDS);
                    assertTrue(took <= timeout.toMillis() + 1_000, "a publish with a " + timeout.toMillis()
                            + " ms timeout returned after " + took + " ms on a half-open connection");
                }
            } finally {
                publishers.shutdownNow();
            }
        }
    }

    @Test
    void aHalfOpenLinkIsNoticedWithinThreeHeartbeatsAndRecoveredFromOnceTheLinkIsBack(TestBroker broker) {
        Duration heartbeat = Duration.ofSeconds(2);
        List<String> handled = new CopyOnWriteArrayList<>();
        // tag::fault-proxy[]
        try (FaultProxy proxy = FaultProxy.to(broker)) {
            RabbitMqEventBus bus = broker.bus(b -> b.connection(proxy.settings(broker)).heartbeat(heartbeat)
                    .subscribe(Subscription.of(UserCreated.class, "h", m -> handled.add(m.payload().userId()))));
            bus.admin().configure();
            bus.start();
            assertTrue(bus.isConnected());
            proxy.stall();                                      // half-open from now on
            long stalledAt = System.nanoTime();
            Await.until("the bus to notice the half-open link", heartbeat.multipliedBy(5), () -> !bus.isConnected(),
                    () -> "still connected");
            // end::fault-proxy[]
            long noticedAfter = Duration.ofNanos(System.nanoTime() - stalledAt).toMillis();
            assertTrue(noticedAfter <= heartbeat.multipliedBy(3).toMillis() + 500, "a half-open link with a "
                    + heartbeat.toMillis() + " ms heartbeat was noticed after " + noticedAfter + " ms");
            proxy.resume();
            Await.until("the bus to reconnect", Duration.ofSeconds(30), bus::isConnected, () -> "not connected");
            bus.publish(new UserCreated("u-after", "after"));
            Await.until("the event published after the recovery handled", Duration.ofSeconds(20),
                    () -> handled.contains("u-after"), handled::toString);
        }
    }

    @Test
    void aCutConnectionRecoversWithoutTopologyErrorsAndPublishingAndConsumingWorkAgain(TestBroker broker) {
        List<ConnectionRecovery> recoveries = new CopyOnWriteArrayList<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        try (FaultProxy proxy = FaultProxy.to(broker)) {
            RabbitMqEventBus bus = broker.bus(b -> b.connection(proxy.settings(broker)).onConnectionRecovery(recoveries::add)
                    .subscribe(Subscription.of(UserCreated.class, "h", m -> handled.add(m.payload().userId()))));
            // declared twice on temporary channels, as configure() and a restored consumer do
            bus.admin().configure();
            bus.admin().configure();
            bus.start();
            bus.publish(new UserCreated("u-before", "before"));
            Await.until("the first event handled", Duration.ofSeconds(20), () -> handled.contains("u-before"), handled::toString);

            assertEquals(2, proxy.cutConnections(), "the bus's publisher and consumer connections");
            Await.until("both connections recovered", Duration.ofSeconds(30), () -> recoveries.size() >= 2,
                    recoveries::toString);
            for (ConnectionRecovery recovery : recoveries) {
                assertEquals(List.of(), recovery.problems(), "what the client reported recovering " + recovery.connectionName());
            }
            bus.publish(new UserCreated("u-after", "after"));
            Await.until("the event published after the recovery handled", Duration.ofSeconds(20),
                    () -> handled.contains("u-after"), handled::toString);
            assertEquals(2, recoveries.size(), "one recovery per connection: " + recoveries);
        }
    }

    @Test
    void eachUnconfirmedMessageIsPublishedAgainAtMostOnceAcrossACut(TestBroker broker) throws Exception {
        Set<String> handled = ConcurrentHashMap.newKeySet();
        try (FaultProxy proxy = FaultProxy.to(broker)) {
            RabbitMqEventBus bus = broker.bus(b -> b.connection(proxy.settings(broker)).publishTimeout(Duration.ofSeconds(20))
                    .subscribe(Subscription.of(UserCreated.class, "h", m -> handled.add(m.payload().userId()))));
            bus.admin().configure();
            bus.start();
            int threads = 4;
            int perThread = 150;
            List<Message<UserCreated>> messages = new ArrayList<>();
            for (int i = 0; i < threads * perThread; i++) {
                messages.add(Message.of(new UserCreated("u-" + i, "n" + i)));
            }
            ExecutorService publishers = Executors.newFixedThreadPool(threads);
            try {
                List<CompletableFuture<Void>> calls = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    List<Message<UserCreated>> mine = messages.subList(t * perThread, (t + 1) * perThread);
                    calls.add(CompletableFuture.runAsync(() -> mine.forEach(bus::publish), publishers));
                }
                Await.until("a third of the messages published", Duration.ofSeconds(30),
                        () -> proxy.publishesPerMessageId().size() > messages.size() / 3, () -> proxy.publishesPerMessageId().size() + "");
                proxy.cutConnections();
                CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            } finally {
                publishers.shutdownNow();
            }
            Map<String, Integer> perMessage = proxy.publishesPerMessageId();
            List<String> tooOften = new ArrayList<>();
            for (Message<UserCreated> message : messages) {
                int count = perMessage.getOrDefault(message.id(), 0);
                if (count < 1 || count > 2) {
                    tooOften.add(message.payload().userId() + " x" + count);
                }
            }
            assertEquals(List.of(), tooOften, "messages not published once, or once more after the one recovery");
            Await.until("every confirmed event handled", Duration.ofSeconds(30), () -> handled.size() == messages.size(),
                    () -> handled.size() + " of " + messages.size() + " handled");
        }
    }

    @Test
    void addressesAreTriedInTheGivenOrderWhenAskedAndShuffledByDefault(TestBroker broker) {
        try (FaultProxy first = FaultProxy.to(broker); FaultProxy second = FaultProxy.to(broker)) {
            RabbitMqConnectionSettings through = first.settings(broker);
            RabbitMqConnectionSettings both = new RabbitMqConnectionSettings(List.of(through.addresses().get(0),
                    second.settings(broker).addresses().get(0)), through.virtualHost(), through.username(), through.password(),
                    false, broker.connectionNamePrefix() + "-order", through.connectionTimeout(), through.recoveryInterval(),
                    through.heartbeat(), true, null, through.maxInboundMessageBodySize());
            RabbitMqConnector inOrder = new RabbitMqConnector(both.withShuffledAddresses(false));
            for (int i = 0; i < 10; i++) {
                inOrder.open("in-order").abort();
            }
            assertEquals(List.of(10, 0), List.of(first.acceptedConnections(), second.acceptedConnections()),
                    "connections accepted by the first and the second address, kept in order");
            RabbitMqConnector shuffled = new RabbitMqConnector(both);
            for (int i = 0; i < 30; i++) {
                shuffled.open("shuffled").abort();
            }
            assertTrue(first.acceptedConnections() > 10 && second.acceptedConnections() > 0, "shuffled over both: first "
                    + (first.acceptedConnections() - 10) + ", second " + second.acceptedConnections() + " of 30");
        }
    }
}
