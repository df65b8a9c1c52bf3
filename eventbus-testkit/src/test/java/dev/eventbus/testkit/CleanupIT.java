package dev.eventbus.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.eventbus.core.Convention;
import dev.eventbus.core.MessageKind;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the testkit deletes after a test, and what it must not: runs test classes that declare exchanges and queues
 * (through the testkit's connections, its connection factory and a bus), then checks on the broker that nothing of
 * theirs is left; that the shared store queues survive; that a name it cannot delete fails the test; and that the
 * cleanup is cheap.
 */
@RabbitMqTest
class CleanupIT {

    static final Map<String, String> organizations = new ConcurrentHashMap<>();

    @Test
    void deletesEverythingEachTestDeclaredAfterIt(TestBroker broker) {
        InnerTests.run(DeclaresThings.class).assertStatistics(stats -> stats.succeeded(2).failed(0));

        assertEquals(2, organizations.size(), "organizations: " + organizations);
        assertNotEquals(organizations.get("first"), organizations.get("second"));
        for (String organization : organizations.values()) {
            assertEquals(List.of(), Leftovers.of(broker, organization), "left of " + organization + " after its test");
        }
    }

    @Test
    void neverDeletesTheSharedStoreQueues(TestBroker broker) throws Exception {
        // The store queues are shared by a whole vhost, so this test declares them on a vhost of its own.
        TestBroker isolated = ownVirtualHostOrSkip(broker);
        TestBroker declaring = new TestBroker(isolated.runningBroker(), isolated.organization(), isolated.service());
        String own = declaring.convention().mainExchange() + ".inbox";
        List<String> shared = List.of(Convention.STORE_QUEUE, Convention.STORE_RETRY_QUEUE, Convention.STORE_DEAD_LETTER_QUEUE);
        Channel declaringChannel = declaring.newConnection().createChannel();
        for (String queue : shared) {
            declaringChannel.queueDeclare(queue, true, false, false, null);
        }
        declaringChannel.queueDeclare(own, true, false, false, null);

        declaring.release();

        try (Connection connection = isolated.connectionFactory().newConnection()) {
            for (String queue : shared) {
                Channel channel = connection.createChannel();
                channel.queueDeclarePassive(queue);   // throws if the cleanup deleted it
                channel.close();
            }
            Channel channel = connection.createChannel();
            IOException gone = assertThrows(IOException.class, () -> channel.queueDeclarePassive(own),
                    "the test's own queue " + own + " must be deleted beside the shared ones");
            assertTrue(String.valueOf(gone.getCause()).contains("NOT_FOUND"), String.valueOf(gone.getCause()));
        }
    }

    @Test
    void failsTheTestWhenItCannotDeleteWhatItDeclared() throws Exception {
        try {
            Events tests = InnerTests.run(HoldsAQueueElsewhere.class);

            tests.assertStatistics(stats -> stats.failed(1));
            Throwable failure = tests.failed().list().get(0).getPayload(TestExecutionResult.class).orElseThrow()
                    .getThrowable().orElseThrow();
            String queue = HoldsAQueueElsewhere.queue;
            assertTrue(failure.getMessage().contains("could not delete") && failure.getMessage().contains("queue " + queue)
                    && failure.getMessage().contains("RESOURCE_LOCKED"), "expected the test to fail naming " + queue
                    + " and why; got: " + failure);
        } finally {
            if (HoldsAQueueElsewhere.holder != null) {
                HoldsAQueueElsewhere.holder.close();   // the exclusive queue goes with it
            }
        }
    }

    @Test
    void aTestBrokerCostsWellUnder100Milliseconds(TestBroker broker) throws Exception {
        RunningBroker running = broker.runningBroker();
        List<Long> millis = new ArrayList<>();
        String lastQueue = null;
        for (int round = 0; round < 7; round++) {
            long start = System.nanoTime();
            TestBroker test = TestBroker.forTest(running, CleanupIT.class);
            long fixture = System.nanoTime() - start;

            Convention names = test.convention();
            Channel channel = test.newConnection().createChannel();
            channel.exchangeDeclare(names.mainExchange(), "topic", true);
            channel.exchangeDeclare(names.retryExchange(), "topic", true);
            channel.exchangeDeclare(names.deadLetterExchange(), "topic", true);
            String queue = names.handlerQueue(MessageType.of(UserCreated.class), "send_mail");
            for (String name : List.of(queue, names.retryQueue(queue), names.deadLetterQueue(queue))) {
                channel.queueDeclare(name, true, false, false, null);
            }
            channel.queueBind(queue, names.mainExchange(), "#");
            lastQueue = queue;

            start = System.nanoTime();
            test.release();
            millis.add((fixture + System.nanoTime() - start) / 1_000_000);
        }
        List<Long> warm = new ArrayList<>(millis.subList(1, millis.size()));   // the first opens the run's cleanup connection
        Collections.sort(warm);
        long median = warm.get(warm.size() / 2);
        assertTrue(median < 100, "expected a test broker (created, then released after deleting 3 exchanges and 3 queues) "
                + "to cost well under 100 ms; observed " + millis + " ms, median " + median + " ms");
        try (Connection connection = broker.connectionFactory().newConnection()) {
            String gone = lastQueue;
            assertThrows(IOException.class, () -> connection.createChannel().queueDeclarePassive(gone), gone + " must be deleted");
        }
    }

    private static TestBroker ownVirtualHostOrSkip(TestBroker broker) {
        try {
            return broker.withOwnVirtualHost();
        } catch (RabbitMqCtlException e) {
            Assumptions.abort("this test needs a virtual host of its own, which needs the management API or rabbitmqctl: "
                    + e.getMessage());
            throw e;
        }
    }

    @RabbitMqTest
    @EnabledIfSystemProperty(named = InnerTests.PROPERTY, matches = "true", disabledReason = InnerTests.ONLY_FROM_ITS_TEST)
    static class DeclaresThings {

        @Test
        void first(TestBroker broker) throws Exception {
            organizations.put("first", broker.organization());
            Convention names = broker.convention();
            Channel channel = broker.newConnection().createChannel();   // left open: the testkit closes it
            channel.exchangeDeclare(names.mainExchange(), "topic", true);
            channel.exchangeDeclare(names.retryExchange(), "topic", true);
            String queue = names.routingKey("user.created", 1, MessageKind.DOMAIN_EVENT) + ".send_mail";
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDeclare(names.retryQueue(queue), true, false, false, Map.of("x-message-ttl", 1000));
            channel.queueBind(queue, names.mainExchange(), "#");
            channel.queueDeclarePassive(queue);
            channel.queueDeclarePassive(names.retryQueue(queue));
        }

        @Test
        void second(TestBroker broker) throws Exception {
            organizations.put("second", broker.organization());
            // through the testkit's factory, on a connection the test closes itself
            try (Connection connection = broker.connectionFactory().newConnection("cleanupit-own");
                 Channel channel = connection.createChannel()) {
                channel.exchangeDeclare(broker.organization() + ".elsewhere", "fanout", false);
                channel.queueDeclare(broker.organization() + ".elsewhere.inbox", false, false, false, null);
            }
            // and a bus's topology: exchanges, handler, retry and dead-letter queues
            RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "send_mail", message -> { })));
            bus.admin().configure();
            try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
                channel.queueDeclarePassive(bus.admin().topology().queues().get(0).name());
            }
        }
    }

    /** A test whose bus names a queue that another connection holds exclusively, so that it cannot be deleted. */
    @RabbitMqTest
    @EnabledIfSystemProperty(named = InnerTests.PROPERTY, matches = "true", disabledReason = InnerTests.ONLY_FROM_ITS_TEST)
    static class HoldsAQueueElsewhere {

        static volatile Connection holder;
        static volatile String queue;

        @Test
        void declares(TestBroker broker) throws Exception {
            RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "send_mail", message -> { })));
            queue = bus.admin().topology().queues().get(0).name();
            ConnectionFactory foreign = new ConnectionFactory();
            foreign.setUri(broker.uri());
            foreign.setVirtualHost(broker.virtualHost());
            holder = foreign.newConnection("cleanupit-holder");
            holder.createChannel().queueDeclare(queue, false, true, false, null);
            assertFalse(queue.isEmpty());
        }
    }
}
