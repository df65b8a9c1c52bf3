package dev.eventbus.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Convention;
import dev.eventbus.core.Event;
import dev.eventbus.core.NameStyle;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyTest {

    record UserCreated(String userId) implements Event {
    }

    private static final Topology.Options CLASSIC = new Topology.Options(QueueType.CLASSIC, 10, null, RetryPolicy.DEFAULT, false);
    private static final String QUEUE = "alice.petisco.1.event.user_created.send_mail_handler";

    private static Topology plan(Topology.Options options, Subscription... subscriptions) {
        return Topology.plan(Convention.of("alice", "petisco"), List.of(subscriptions), options);
    }

    private static Subscription sendMail() {
        return Subscription.of(UserCreated.class, "send_mail_handler", m -> { });
    }

    @Test
    void plansPetiscosQueuesAndBindingsForOneHandler() {
        Topology topology = plan(CLASSIC, sendMail());
        assertEquals(List.of(new Topology.Exchange("alice.petisco", false), new Topology.Exchange("retry.alice.petisco", false),
                new Topology.Exchange("dead_letter.alice.petisco", false)), topology.exchanges());
        assertEquals(List.of(
                new Topology.Queue(QUEUE, Map.of("x-dead-letter-exchange", "dead_letter.alice.petisco",
                        "x-dead-letter-routing-key", "dead_letter." + QUEUE), false),
                new Topology.Queue("retry." + QUEUE, Map.of("x-dead-letter-exchange", "alice.petisco",
                        "x-dead-letter-routing-key", "retry." + QUEUE, "x-message-ttl", 5000), false),
                new Topology.Queue("dead_letter." + QUEUE, Map.of(), false)), topology.queues());
        assertEquals(List.of(
                new Topology.Binding("alice.petisco", QUEUE, "alice.petisco.1.event.user_created"),
                new Topology.Binding("alice.petisco", QUEUE, "retry." + QUEUE),
                new Topology.Binding("retry.alice.petisco", "retry." + QUEUE, "retry." + QUEUE),
                new Topology.Binding("dead_letter.alice.petisco", "dead_letter." + QUEUE, "dead_letter." + QUEUE)),
                topology.bindings());
    }

    @Test
    void aSubscriptionFromAnotherServiceIsBoundToThatServicesExchangeAndKeepsItsOwnRetryRoute() {
        Topology topology = plan(CLASSIC, sendMail().from("accounts"));
        assertTrue(topology.exchanges().contains(new Topology.Exchange("alice.accounts", true)), topology.exchanges().toString());
        assertEquals(List.of(
                new Topology.Binding("alice.accounts", QUEUE, "alice.accounts.1.event.user_created"),
                new Topology.Binding("alice.petisco", QUEUE, "retry." + QUEUE),
                new Topology.Binding("retry.alice.petisco", "retry." + QUEUE, "retry." + QUEUE),
                new Topology.Binding("dead_letter.alice.petisco", "dead_letter." + QUEUE, "dead_letter." + QUEUE)),
                topology.bindings());
        assertEquals("alice.petisco", topology.queue("retry." + QUEUE).orElseThrow().arguments().get("x-dead-letter-exchange"));
    }

    @Test
    void anAllMessagesHandlerHasItsOwnQueueBoundForEveryEventAndCommandOfItsSource() {
        String queue = "alice.petisco.all.statistics";
        Topology topology = plan(CLASSIC, Subscription.allMessages("statistics", m -> { }).from("datagen"));
        assertEquals(List.of(queue, "retry." + queue, "dead_letter." + queue),
                topology.queues().stream().map(Topology.Queue::name).toList());
        assertTrue(topology.bindings().containsAll(List.of(
                new Topology.Binding("alice.datagen", queue, "alice.datagen.*.event.#"),
                new Topology.Binding("alice.datagen", queue, "alice.datagen.*.command.#"),
                new Topology.Binding("alice.petisco", queue, "retry." + queue))), topology.bindings().toString());
    }

    @Test
    void theStoreRetryQueueTakesTheVhostWideStoreRetryDelayWhateverTheRetryPolicies() {
        Subscription store = Subscription.store("event_store", m -> { }).withRetry(RetryPolicy.of(2, Duration.ofMillis(750)));
        Topology defaults = plan(new Topology.Options(QueueType.CLASSIC, 10, null, RetryPolicy.of(1, Duration.ofMillis(100)), false),
                store);
        assertEquals(5000, defaults.queue("retry.store").orElseThrow().arguments().get("x-message-ttl"));
        Topology feeding = plan(new Topology.Options(QueueType.CLASSIC, 10, null, RetryPolicy.DEFAULT, true, 800, 5000), sendMail());
        assertEquals(800, feeding.queue("retry.store").orElseThrow().arguments().get("x-message-ttl"));
    }

    @Test
    void ttlsAreThirtyTwoBitIntegersAsPikaSendsThem() {
        Topology topology = plan(new Topology.Options(QueueType.CLASSIC, 10, 5000, RetryPolicy.DEFAULT, false),
                sendMail().withRetry(RetryPolicy.of(3, Duration.ofMillis(1500))));
        assertEquals(Integer.valueOf(5000), topology.queue(QUEUE).orElseThrow().arguments().get("x-message-ttl"));
        assertEquals(Integer.valueOf(1500), topology.queue("retry." + QUEUE).orElseThrow().arguments().get("x-message-ttl"));
    }

    @Test
    void quorumQueuesGetAnExplicitDeliveryLimitOnHandlerQueues() {
        Topology topology = plan(new Topology.Options(QueueType.QUORUM, 7, null, RetryPolicy.DEFAULT, false), sendMail());
        assertEquals(7, topology.queue(QUEUE).orElseThrow().arguments().get("x-delivery-limit"));
        assertEquals("quorum", topology.queue("retry." + QUEUE).orElseThrow().arguments().get("x-queue-type"));
        assertEquals("quorum", topology.queue("dead_letter." + QUEUE).orElseThrow().arguments().get("x-queue-type"));
        for (String name : List.of(QUEUE, "retry." + QUEUE)) {
            Map<String, Object> args = topology.queue(name).orElseThrow().arguments();
            assertEquals("at-least-once", args.get("x-dead-letter-strategy"), name);
            assertEquals("reject-publish", args.get("x-overflow"), name);
        }
    }

    @Test
    void theStoreIsSharedAndBoundForEveryEventAndCommand() {
        Topology topology = plan(CLASSIC, Subscription.store("event_store", m -> { }));
        assertTrue(topology.queues().stream().filter(q -> q.name().contains("store")).allMatch(Topology.Queue::shared));
        assertEquals(Map.of("x-dead-letter-exchange", "retry.alice.store", "x-dead-letter-routing-key", "store",
                "x-message-ttl", 5000), topology.queue("retry.store").orElseThrow().arguments());
        assertTrue(topology.bindings().contains(new Topology.Binding("alice.petisco", "store", "*.*.*.event.*")));
        assertTrue(topology.bindings().contains(new Topology.Binding("alice.petisco", "store", "*.*.*.command.*")));
        assertTrue(topology.bindings().contains(new Topology.Binding("retry.alice.store", "retry.store", "retry.store")));
        assertTrue(topology.exchanges().contains(new Topology.Exchange("dead_letter.alice.store", true)));
    }

    @Test
    void dotsStyleAlsoBindsTheStoreForMultiWordNames() {
        Topology topology = Topology.plan(new Convention("alice", "petisco", NameStyle.DOTS),
                List.of(Subscription.store("event_store", m -> { })), CLASSIC);
        assertTrue(topology.bindings().contains(new Topology.Binding("alice.petisco", "store", "*.*.*.event.#")));
    }

    @Test
    void underscoreStyleBindsTheStoreExactlyAsPetisco() {
        Topology topology = Topology.plan(new Convention("alice", "petisco", NameStyle.UNDERSCORES),
                List.of(Subscription.store("event_store", m -> { })), CLASSIC);
        assertTrue(topology.bindings().stream().noneMatch(b -> b.routingKey().endsWith("#")), topology.bindings().toString());
    }
}
