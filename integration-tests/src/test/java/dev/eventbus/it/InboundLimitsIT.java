package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.ConnectionRecovery;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Messages the broker delivers but the client's defaults would choke on: a body over the client's 64 MiB default, and
 * headers nested thousands of levels deep. The consumer connection must survive them, and they must arrive.
 */
@RabbitMqTest
class InboundLimitsIT {

    @Test
    void aBodyOverTheClientsDefaultLimitOf64MiBReachesTheBusAndTheNextMessageIsHandled(TestBroker broker) throws Exception {
        List<String> handled = new CopyOnWriteArrayList<>();
        List<ConnectionRecovery> recoveries = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.onConnectionRecovery(recoveries::add)
                .subscribe(Subscription.of(UserCreated.class, "h", m -> handled.add(m.payload().userId()))));
        bus.admin().configure();
        bus.start();
        String queue = broker.convention().handlerQueue(MessageType.of(UserCreated.class), "h");
        bus.publish(new UserCreated("u-huge", "n".repeat(65 * 1024 * 1024)));
        bus.publish(new UserCreated("u-next", "next"));
        // with the client's default limit the consumer connection closed on every delivery of the big one, and the
        // next was never handled; now the bus gets it: handled, or dead-lettered if the decoder refuses a 65 MB string
        Await.until("the event after the 65 MiB one handled", Duration.ofSeconds(60), () -> handled.contains("u-next"),
                () -> handled + ", recoveries " + recoveries);
        Await.until("the 65 MiB event handled or dead-lettered", Duration.ofSeconds(30), () -> handled.contains("u-huge")
                || depth(broker, broker.convention().deadLetterQueue(queue)) == 1, () -> handled.toString());
        assertEquals(List.of(), recoveries, "the consumer connection was never lost");
    }

    private static long depth(TestBroker broker, String queue) {
        try (Channel channel = broker.newConnection().createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void headersNestedThousandsOfLevelsDeepDoNotCloseTheConsumerConnection(TestBroker broker) throws Exception {
        List<String> handled = new CopyOnWriteArrayList<>();
        List<ConnectionRecovery> recoveries = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.onConnectionRecovery(recoveries::add)
                .subscribe(Subscription.of(UserCreated.class, "h", m -> handled.add(m.payload().userId()))));
        bus.admin().configure();
        bus.start();
        // 5,000 levels (25 kB, well within frame_max) overflowed the client's reader on a default 1 MiB stack
        Object nested = "bottom";
        for (int i = 0; i < 5_000; i++) {
            nested = List.of(nested);
        }
        Map<String, Object> headers = Map.of("deep", nested);
        Connection raw = broker.newConnection();
        byte[] body = bus.codec().encode(Message.of(new UserCreated("u-deep", "deep")));
        String routingKey = broker.convention().routingKey(MessageType.of(UserCreated.class));
        // the client's writer is recursive too: publish from a thread with room for it
        CompletableFuture<Void> published = new CompletableFuture<>();
        Thread publisher = new Thread(null, () -> {
            try (Channel channel = raw.createChannel()) {
                channel.confirmSelect();
                channel.basicPublish(broker.convention().mainExchange(), routingKey, true,
                        new AMQP.BasicProperties.Builder().contentType("application/json").headers(headers).build(), body);
                channel.waitForConfirmsOrDie(10_000);
                published.complete(null);
            } catch (Exception | StackOverflowError e) {
                published.completeExceptionally(e);
            }
        }, "deep-headers-publisher", 256L * 1024 * 1024);
        publisher.start();
        published.get();
        bus.publish(new UserCreated("u-next", "next"));
        Await.until("the deeply nested message and the next one handled", Duration.ofSeconds(60),
                () -> handled.containsAll(List.of("u-deep", "u-next")), () -> handled + ", recoveries " + recoveries);
        assertEquals(List.of(), recoveries, "the consumer connection was never lost");
        assertTrue(bus.isConnected());
    }
}
