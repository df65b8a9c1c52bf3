package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Message;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.OrderPlaced;
import dev.eventbus.it.Events.SendWelcomeMail;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.UnroutableMessageException;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqCtl;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** All-messages handlers, delivering to one handler queue, and clearing one handler's queues. */
@RabbitMqTest
class SubscriptionScopesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void everyAllMessagesHandlerSeesEveryEventAndCommandOfItsSourceAndNothingElse(TestBroker broker) {
        List<String> statistics = new CopyOnWriteArrayList<>();
        List<String> audit = new CopyOnWriteArrayList<>();
        RabbitMqEventBus datagen = broker.bus(b -> b.service("datagen").failOnUnroutable(false));
        RabbitMqEventBus other = broker.bus(b -> b.service("other").failOnUnroutable(false));
        RabbitMqEventBus observer = broker.bus(b -> b.service("observer").subscribe(
                Subscription.allMessages("statistics", m -> statistics.add(m.name())).from("datagen"),
                Subscription.allMessages("audit", m -> audit.add(m.name())).from("datagen")));
        datagen.admin().configure();
        other.admin().configure();
        observer.admin().configure();
        observer.start();

        other.publish(new UserCreated("u-0", "elsewhere"));
        datagen.publish(new UserCreated("u-1", "Alice"));
        datagen.publish(new OrderPlaced("o-1", 1));
        datagen.publish(new SendWelcomeMail("a@example.com"));

        Set<String> expected = Set.of("user.created", "order.placed", "send.welcome.mail");
        Await.until("both handlers saw datagen's three messages", TIMEOUT,
                () -> statistics.size() == 3 && audit.size() == 3, () -> statistics + " / " + audit);
        assertEquals(expected, Set.copyOf(statistics));
        assertEquals(expected, Set.copyOf(audit));
    }

    @Test
    void deliverToReachesOneHandlerQueueOnly(TestBroker broker) {
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(
                Subscription.of(UserCreated.class, "first", m -> first.add(m.payload().name())),
                Subscription.of(UserCreated.class, "second", m -> second.add(m.payload().name()))));
        bus.admin().configure();
        bus.start();
        String firstQueue = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "first");

        bus.admin().deliverTo(firstQueue, bus.codec().encode(Message.of(new UserCreated("u-1", "replayed"))));
        bus.publish(new UserCreated("u-2", "live"));

        Await.until("both handlers saw the live one", TIMEOUT, () -> first.contains("live") && second.contains("live"),
                () -> first + " / " + second);
        assertEquals(Set.of("replayed", "live"), Set.copyOf(first));
        assertEquals(List.of("live"), second);
        assertThrows(UnroutableMessageException.class, () -> bus.admin().deliverTo(firstQueue + "_missing", new byte[] {'{', '}'}));
    }

    @Test
    void deliverToReachesAnotherServicesHandlerQueueInOrder(TestBroker broker) {
        List<String> audited = new CopyOnWriteArrayList<>();
        RabbitMqEventBus audit = broker.bus(b -> b.service("audit").consumerThreads(1)
                .subscribe(Subscription.of(UserCreated.class, "object_audit", m -> audited.add(m.payload().name()))));
        audit.admin().configure();
        audit.start();
        RabbitMqEventBus store = broker.bus(b -> b.service("eventstore"));
        String auditQueue = audit.convention().handlerQueue(MessageType.of(UserCreated.class), "object_audit");
        List<byte[]> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            bodies.add(store.codec().encode(Message.of(new UserCreated("u-" + i, "n" + i))));
        }

        store.admin().deliverTo(auditQueue, bodies);

        Await.until("the 50 replayed messages", TIMEOUT, () -> audited.size() == 50, audited::toString);
        assertEquals(java.util.stream.IntStream.range(0, 50).mapToObj(i -> "n" + i).toList(), audited);
    }

    @Test
    void clearHandlerDeletesOnlyThatHandlersQueues(TestBroker broker) {
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(
                Subscription.of(UserCreated.class, "leaving", m -> { }),
                Subscription.of(UserCreated.class, "staying", m -> { })));
        bus.admin().configure();

        bus.admin().clearHandler("leaving");

        Set<String> queues = broker.ctl().listQueues().stream().map(RabbitMqCtl.QueueInfo::name)
                .filter(name -> name.contains(broker.organization())).collect(Collectors.toSet());
        String staying = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "staying");
        assertEquals(Set.of(staying, "retry." + staying, "dead_letter." + staying), queues);
        assertTrue(broker.ctl().listExchanges().stream().anyMatch(e -> e.name().equals(bus.convention().mainExchange())));
    }

    @Test
    void aClearedHandlerResumesOnQueuesDeclaredAgain(TestBroker broker) {
        List<String> handled = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = broker.bus(b -> b.subscribe(Subscription.of(UserCreated.class, "returning",
                m -> handled.add(m.payload().name()))));
        bus.admin().configure();
        bus.start();
        bus.pause("returning");
        bus.admin().clearHandler("returning");
        assertThrows(UnroutableMessageException.class, () -> bus.publish(new UserCreated("u-0", "while away")));

        bus.resume("returning");
        bus.publish(new UserCreated("u-1", "back"));

        Await.until("handled after coming back", TIMEOUT, () -> handled.contains("back"), handled::toString);
        assertEquals(List.of("back"), handled);
    }
}
