package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.eventbus.core.Message;
import dev.eventbus.core.MessageKind;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.it.Events.SendWelcomeMail;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

@RabbitMqTest
class StoreIT {

    @Test
    void theStoreSeesEveryEventAndCommandUntyped(TestBroker sharedBroker) {
        // the store queues are shared by a whole vhost and name one organization's exchanges: a vhost of our own
        TestBroker broker = sharedBroker.withOwnVirtualHost();
        Map<String, Message<Map<String, Object>>> stored = new ConcurrentHashMap<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(
                Subscription.of(UserCreated.class, "send_mail_handler", m -> { }),
                Subscription.store("event_store", m -> stored.put(m.id(), m))));
        bus.admin().configure();
        bus.start();
        List<Message<?>> sent = List.of(Message.of(new UserCreated("u-1", "Alice")), Message.of(new OrderPlaced("o-1", 3)),
                Message.of(new SendWelcomeMail("a@example.com")));

        bus.publish(sent);

        Await.until("the store saw the three messages", Duration.ofSeconds(20),
                () -> sent.stream().allMatch(m -> stored.containsKey(m.id())), () -> stored.keySet().toString());
        Message<Map<String, Object>> user = stored.get(sent.get(0).id());
        assertEquals("user.created", user.name());
        assertEquals(Map.of("user_id", "u-1", "name", "Alice"), user.payload());
        assertEquals(Map.of("order_id", "o-1", "quantity", 3), stored.get(sent.get(1).id()).payload());
        assertEquals(MessageKind.COMMAND, stored.get(sent.get(2).id()).kind());
    }
}
