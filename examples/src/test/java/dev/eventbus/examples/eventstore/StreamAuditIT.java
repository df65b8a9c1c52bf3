package dev.eventbus.examples.eventstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.eventbus.core.OffsetStore;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.pipeline.Datagen;
import dev.eventbus.examples.pipeline.ObjectCreated;
import dev.eventbus.outbox.JdbcOffsetStore;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Seed 004's replay with a stream: a subscriber that goes away gets what it missed from its stored offset, once each. */
@RabbitMqTest
class StreamAuditIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "object-" + i).toList();
    }

    @Test
    void aReturningSubscriberGetsTheObjectsPublishedWhileItWasAwayOnceEachInOrder(TestBroker broker) {
        ServiceBuses buses = new ServiceBuses(broker::bus);
        JdbcDataSource database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:offsets-" + broker.organization() + ";DB_CLOSE_DELAY=-1");
        OffsetStore offsets = JdbcOffsetStore.create(database);
        RabbitMqEventBus datagen = buses.bus(Datagen.SERVICE, b -> b);
        datagen.admin().configure();

        try (StreamAudit audit = StreamAudit.start(buses, offsets, 20)) {
            datagen.publish(ids(0, 30).stream().map(id -> new ObjectCreated(id, "document")).toList());
            Await.until("the first 30 objects audited", WAIT, () -> audit.objects().size() == 30, () -> audit.objects().toString());

            audit.leave();
            datagen.publish(ids(30, 530).stream().map(id -> new ObjectCreated(id, "document")).toList()); // while away
            OffsetStore returning = JdbcOffsetStore.create(database); // the table as another process would find it
            assertEquals(30L, returning.load(datagen.convention().stream(), StreamAudit.HANDLER).orElseThrow(),
                    "its offset in the database: after the 30 it handled");
            audit.rejoin();
            datagen.publish(new ObjectCreated("object-530", "image")); // live, after the catch-up

            Await.until("every object audited", WAIT, () -> audit.objects().size() == 531, () -> audit.objects().size() + " audited");
            assertEquals(ids(0, 531), audit.objects(), "what it missed, then the live one, in order");
            assertEquals(0, audit.duplicates(), "none twice: it resumed at its stored offset");
        }
    }
}
