package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.DeadLetterReason;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.rabbitmq.PublishNotConfirmedException;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.Faults;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Faults that stay within one test's names: a consumer process killed mid-handler, a graceful stop under load, a
 * handler queue deleted under its consumer, poison messages in a stream, a channel error beside other publishes.
 * Each prints published / confirmed / handled / duplicates / lost and requires lost = 0.
 */
@RabbitMqTest
class FaultToleranceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aConsumerKilledMidHandlerLosesNothing(TestBroker broker) throws Exception {
        Tally tally = new Tally("consumer killed (kill -9) mid-handler");
        Set<String> handledByNext = ConcurrentHashMap.newKeySet();
        RabbitMqEventBus bus = broker.bus(b -> b.prefetch(20).consumerThreads(2)
                .subscribe(Subscription.of(OrderPlaced.class, "slow", message -> {
                    handledByNext.add(message.payload().orderId());
                    tally.handled(message.payload().orderId());
                })));
        bus.admin().configure();
        Load.publish(bus, tally, "k", 200, 1).get(60, TimeUnit.SECONDS);

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ConsumerProcess.class.getName(),
                broker.uri(), broker.organization(), broker.service(), "slow", "100")
                .redirectErrorStream(false).start();
        List<String> childLines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(childLines::add);
            } catch (java.io.IOException e) {
                childLines.add("read failed: " + e);
            }
        });
        reader.start();
        try {
            Await.until("the child consumer in the middle of its handlers", TIMEOUT,
                    () -> childLines.stream().filter(line -> line.startsWith("handled ")).count() >= 10
                            && childLines.stream().filter(line -> line.startsWith("handling ")).count()
                            > childLines.stream().filter(line -> line.startsWith("handled ")).count(),
                    () -> childLines.size() + " lines: " + childLines.subList(Math.max(0, childLines.size() - 5), childLines.size()));
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child consumer died");
            reader.join(5_000);
        }
        List<String> inFlightWhenKilled = new ArrayList<>();
        Set<String> handledByChild = ConcurrentHashMap.newKeySet();
        for (String line : childLines) {
            if (line.startsWith("handled ")) {
                handledByChild.add(line.substring("handled ".length()));
                tally.handled(line.substring("handled ".length()));
            }
        }
        for (String line : childLines) {
            if (line.startsWith("handling ") && !handledByChild.contains(line.substring("handling ".length()))) {
                inFlightWhenKilled.add(line.substring("handling ".length()));
            }
        }
        assertTrue(!inFlightWhenKilled.isEmpty(), "the child was killed inside a handler");

        bus.start();

        Await.until("every confirmed event handled by the child or the next consumer", TIMEOUT, tally::allConfirmedHandled,
                tally::line);
        assertTrue(handledByNext.containsAll(inFlightWhenKilled),
                "events the killed consumer was handling were redelivered: " + inFlightWhenKilled + " vs " + handledByNext.size());
        tally.report(20);
    }

    /** With 2 handler threads, and with 1: the handlers then run on the consumer connection's dispatch thread. */
    @org.junit.jupiter.params.ParameterizedTest(name = "consumerThreads({0})")
    @org.junit.jupiter.params.provider.ValueSource(ints = {2, 1})
    void aGracefulStopUnderLoadFinishesRunningHandlersAndReturnsTheRest(int threads, TestBroker broker) throws Exception {
        Tally tally = new Tally("graceful stop under load, " + threads + " handler threads");
        Set<String> started = ConcurrentHashMap.newKeySet();
        Set<String> finished = ConcurrentHashMap.newKeySet();
        RabbitMqEventBus first = broker.bus(b -> b.prefetch(50).consumerThreads(threads)
                .subscribe(Subscription.of(OrderPlaced.class, "worker", message -> {
                    started.add(message.payload().orderId());
                    Thread.sleep(20);
                    finished.add(message.payload().orderId());
                    tally.handled(message.payload().orderId());
                })));
        first.admin().configure();
        Load.publish(first, tally, "g", 400, 2).get(60, TimeUnit.SECONDS);
        first.start();
        Await.until("50 handled before stopping", TIMEOUT, () -> finished.size() >= 50, () -> finished.size() + " handled");

        first.stop();

        assertEquals(started, finished, "every handler that started finished before stop returned");
        String queue = broker.convention().handlerQueue(MessageType.of(OrderPlaced.class), "worker");
        Await.awaitQueueDepth(broker, queue, 400 - finished.size(), TIMEOUT);
        RabbitMqEventBus second = broker.bus(b -> b.subscribe(Subscription.of(OrderPlaced.class, "worker",
                message -> tally.handled(message.payload().orderId()))));
        second.start();
        Await.until("the rest handled by the next consumer", TIMEOUT, tally::allConfirmedHandled, tally::line);
        tally.report(0);
    }

    @Test
    void aHandlerQueueDeletedUnderItsConsumerIsDeclaredAgainAndConsumptionResumes(TestBroker broker) throws Exception {
        Tally tally = new Tally("handler queue deleted under consumer");
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(OrderPlaced.class, "resilient",
                message -> tally.handled(message.payload().orderId()))));
        bus.admin().configure();
        bus.start();
        Load.publish(bus, tally, "before", 20, 1).get(30, TimeUnit.SECONDS);
        Await.until("the first events handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
        String queue = broker.convention().handlerQueue(MessageType.of(OrderPlaced.class), "resilient");

        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
        }

        Await.until("the queue declared again with its consumer", TIMEOUT,
                () -> broker.ctl().listQueues().stream().anyMatch(q -> q.name().equals(queue) && q.consumers() == 1)
                        && bus.health().handlers().stream().allMatch(HandlerStatus::healthy),
                () -> bus.health().toString());
        Load.publish(bus, tally, "after", 20, 1).get(30, TimeUnit.SECONDS);
        Await.until("the events after the deletion handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
        tally.report(0);
    }

    @Test
    void aBusWhoseConnectionsAreCutRecoversAndLosesNothing(TestBroker broker) throws Exception {
        Tally tally = new Tally("one bus's connections cut");
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(OrderPlaced.class, "recovering",
                message -> tally.handled(message.payload().orderId()))));
        bus.admin().configure();
        bus.start();
        Load.publish(bus, tally, "before", 100, 1).get(30, TimeUnit.SECONDS);

        int closed = Faults.closeBusConnectionsAndAwaitRecovery(broker, bus, TIMEOUT);

        assertEquals(2, closed, "the publisher and the consumer connection");
        Load.publish(bus, tally, "after", 100, 1).get(30, TimeUnit.SECONDS);
        Await.until("every confirmed event handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
        tally.report(0);
    }

    @Test
    void anUnsubscribedHandlersMessagesWaitInItsQueueUntilItResumes(TestBroker broker) throws Exception {
        Tally tally = new Tally("unsubscribe and resume");
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(OrderPlaced.class, "pausable",
                message -> tally.handled(message.payload().orderId()))));
        bus.admin().configure();
        bus.start();
        String queue = broker.convention().handlerQueue(MessageType.of(OrderPlaced.class), "pausable");

        bus.pause("pausable");
        assertEquals(HandlerStatus.State.PAUSED, bus.health().handlers().get(0).state());
        Load.publish(bus, tally, "paused", 30, 1).get(30, TimeUnit.SECONDS);
        Await.awaitQueueDepth(broker, queue, 30, TIMEOUT);
        assertEquals(0, tally.handledDistinct(), "nothing handled while unsubscribed");

        bus.resume("pausable");

        Await.until("the waiting events handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
        assertEquals(HandlerStatus.State.CONSUMING, bus.health().handlers().get(0).state());
        tally.report(0);
    }

    @Test
    void healthReportsAHandlerThatCannotConsumeUntilItsQueueIsRestored(TestBroker broker) throws Exception {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(OrderPlaced.class, "watched", message -> { })));
        bus.admin().configure();
        bus.start();
        assertTrue(bus.health().handlers().stream().allMatch(HandlerStatus::healthy), bus.health().toString());
        String queue = broker.convention().handlerQueue(MessageType.of(OrderPlaced.class), "watched");

        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
            // someone else takes the name with other arguments: the bus cannot declare its queue again
            channel.queueDeclare(queue, true, false, false, java.util.Map.of("x-message-ttl", 1));
        }

        HandlerStatus failed = Await.untilValue("the handler reported as not consuming", TIMEOUT, () -> bus.health().handlers().get(0),
                status -> status.state() == HandlerStatus.State.FAILED && status.detail().contains("could not be declared"));
        assertTrue(!failed.healthy() && failed.detail().contains("x-message-ttl"), failed.toString());

        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
        }
        Await.until("the handler consuming again", TIMEOUT, () -> bus.health().handlers().stream().allMatch(HandlerStatus::healthy),
                () -> bus.health().toString());
    }

    @Test
    void poisonMessagesInAStreamAreDeadLetteredAndTheGoodOnesAllHandled(TestBroker broker) throws Exception {
        Tally tally = new Tally("poison messages in a stream");
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(OrderPlaced.class, "eater",
                message -> tally.handled(message.payload().orderId()))));
        bus.admin().configure();
        bus.start();
        CompletableFuture<Void> good = Load.publish(bus, tally, "good", 1000, 2);
        String routingKey = broker.convention().routingKey(MessageType.of(OrderPlaced.class));
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            for (int i = 0; i < 5; i++) {
                channel.basicPublish(broker.convention().mainExchange(), routingKey,
                        new AMQP.BasicProperties.Builder().deliveryMode(2).build(), ("poison " + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        good.get(60, TimeUnit.SECONDS);

        Await.until("every good event handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
        String queue = broker.convention().handlerQueue(MessageType.of(OrderPlaced.class), "eater");
        Await.until("5 dead letters", TIMEOUT, () -> bus.admin().deadLetters().count(queue) == 5, () -> bus.admin().deadLetters().count(queue) + "");
        assertTrue(bus.admin().deadLetters().peek(queue, 10).stream().allMatch(l -> l.reason() == DeadLetterReason.UNDECODABLE));
        tally.report(0);
    }

    @Test
    void aChannelErrorIsReportedToItsCallerWhileOtherPublishesGoOn(TestBroker broker) throws Exception {
        Tally tally = new Tally("channel error beside other publishes");
        RabbitMqEventBus bus = broker.bus(b -> b.publisherChannels(4).subscribe(Subscription.of(OrderPlaced.class, "steady",
                message -> tally.handled(message.payload().orderId()))));
        bus.admin().configure();
        bus.start();
        int limit = 64 * 1024;
        broker.ctl().eval("application:set_env(rabbit, max_message_size, " + limit + ").");
        try {
            CompletableFuture<Void> steady = Load.publish(bus, tally, "steady", 2000, 3);
            int reported = 0;
            for (int i = 0; i < 5; i++) {
                Message<OrderPlaced> huge = Message.of(new OrderPlaced("x".repeat(limit * 2), i));
                PublishNotConfirmedException error = assertThrows(PublishNotConfirmedException.class, () -> bus.publish(huge));
                assertTrue(error.getMessage().contains("larger than configured max size"), error.getMessage());
                reported++;
            }
            steady.get(60, TimeUnit.SECONDS);
            assertEquals(5, reported);
        } finally {
            broker.ctl().eval("application:set_env(rabbit, max_message_size, 134217728).");
        }
        Await.until("the steady publishes all handled", TIMEOUT, tally::allConfirmedHandled, tally::line);
        assertEquals(0, tally.publishFailures(), () -> "no steady publish is failed by the oversized messages' errors: "
                + tally.line() + " " + tally.failures());
        tally.report(10);
    }
}
