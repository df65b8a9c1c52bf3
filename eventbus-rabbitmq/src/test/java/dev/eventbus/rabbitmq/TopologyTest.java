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
    void aLadderGetsTheServicesSharedDelayQueuesInsteadOfARetryQueueAndKeepsTheRetryBinding() {
        Subscription laddered = sendMail().withRetry(RetryPolicy.ladder(Duration.ofSeconds(10), Duration.ofMinutes(1)));
        Subscription other = Subscription.of(UserCreated.class, "audit_handler", m -> { })
                .withRetry(RetryPolicy.ladder(3, Duration.ofSeconds(10)));
        Topology topology = plan(CLASSIC, laddered, other);

        assertTrue(topology.exchanges().contains(new Topology.Exchange("delay.alice.petisco", false, Topology.HEADERS)),
                topology.exchanges().toString());
        assertTrue(topology.queue("retry." + QUEUE).isEmpty(), "no retry queue of its own: " + topology.queues());
        assertEquals(Map.of("x-message-ttl", 10000, "x-dead-letter-exchange", "alice.petisco"),
                topology.queue("delay.alice.petisco.10000").orElseThrow().arguments(),
                "no x-dead-letter-routing-key: a copy returns with its own key, retry.<queue>");
        assertEquals(Map.of("x-message-ttl", 60000, "x-dead-letter-exchange", "alice.petisco"),
                topology.queue("delay.alice.petisco.60000").orElseThrow().arguments());
        assertEquals(1, topology.queues().stream().filter(q -> q.name().equals("delay.alice.petisco.10000")).count(),
                "one delay queue per delay, shared by the handlers");
        assertTrue(topology.bindings().contains(new Topology.Binding("delay.alice.petisco", "delay.alice.petisco.10000", "",
                Map.of("x-match", "all", Headers.DELAY, "10000"))), topology.bindings().toString());
        assertTrue(topology.bindings().contains(new Topology.Binding("alice.petisco", QUEUE, "retry." + QUEUE)),
                "the route back from the delay queues (and from a retry queue left by a fixed policy)");
        assertTrue(topology.bindings().stream().noneMatch(b -> b.exchange().equals("retry.alice.petisco")
                && b.queue().equals("retry." + QUEUE)), topology.bindings().toString());
    }

    @Test
    void quorumDelayQueuesDeadLetterAtLeastOnce() {
        Topology.Options quorum = new Topology.Options(QueueType.QUORUM, 10, null, RetryPolicy.DEFAULT, false);
        Topology topology = plan(quorum, sendMail().withRetry(RetryPolicy.ladder(Duration.ofMillis(500))));
        assertEquals(Map.of("x-queue-type", "quorum", "x-message-ttl", 500, "x-dead-letter-exchange", "alice.petisco",
                "x-dead-letter-strategy", "at-least-once", "x-overflow", "reject-publish"),
                topology.queue("delay.alice.petisco.500").orElseThrow().arguments());
        assertEquals(10, topology.queue(QUEUE).orElseThrow().arguments().get("x-delivery-limit"),
                "handler queues keep their explicit delivery limit");
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

    record UserDeleted(String userId) implements Event {
    }

    @Test
    void anEndpointQueueIsOneHandlerQueueWithItsRetryAndDeadLetterQueuesBoundForEachType() {
        String queue = "alice.petisco.endpoint.accounts_view";
        Topology topology = plan(CLASSIC, Subscription.of("accounts_view", (dev.eventbus.core.Message<Event> m) -> { },
                UserCreated.class, UserDeleted.class).endpointQueue());
        assertEquals(List.of(queue, "retry." + queue, "dead_letter." + queue),
                topology.queues().stream().map(Topology.Queue::name).toList());
        assertEquals(Map.of("x-dead-letter-exchange", "dead_letter.alice.petisco", "x-dead-letter-routing-key", "dead_letter." + queue),
                topology.queue(queue).orElseThrow().arguments());
        assertEquals(List.of(
                new Topology.Binding("alice.petisco", queue, "alice.petisco.1.event.user_created"),
                new Topology.Binding("alice.petisco", queue, "alice.petisco.1.event.user_deleted"),
                new Topology.Binding("alice.petisco", queue, "retry." + queue),
                new Topology.Binding("retry.alice.petisco", "retry." + queue, "retry." + queue),
                new Topology.Binding("dead_letter.alice.petisco", "dead_letter." + queue, "dead_letter." + queue)),
                topology.bindings());
    }

    @Test
    void anEndpointQueueWithALadderRetriesThroughTheSharedDelayQueuesBackByItsOwnRetryKey() {
        String queue = "alice.petisco.endpoint.accounts_view";
        Topology topology = plan(CLASSIC, Subscription.of("accounts_view", (dev.eventbus.core.Message<Event> m) -> { },
                UserCreated.class, UserDeleted.class).endpointQueue().withRetry(RetryPolicy.ladder(Duration.ofSeconds(10))));
        assertTrue(topology.queue("retry." + queue).isEmpty(), "a ladder has no retry queue of its own");
        assertTrue(topology.queue("delay.alice.petisco.10000").isPresent(), topology.queues().toString());
        assertTrue(topology.bindings().contains(new Topology.Binding("alice.petisco", queue, "retry." + queue)),
                topology.bindings().toString());
    }

    @Test
    void aLiveSubscriptionWithRetriesPlansOnlyItsDurableDeadLetterQueueEvenOnQuorum() {
        String live = QUEUE + ".live.pod_7";
        Topology.Options quorum = new Topology.Options(QueueType.QUORUM, 10, null, RetryPolicy.DEFAULT, false);
        Topology topology = plan(quorum, sendMail().live("pod_7").withRetry(RetryPolicy.of(2, Duration.ofSeconds(1))));

        assertEquals(List.of(new Topology.Queue("dead_letter." + live, Map.of(), false)), topology.queues(),
                "the live and retry queues are the consumer's; the dead-letter queue outlives it, classic as it declares it");
        assertEquals(List.of(new Topology.Binding("dead_letter.alice.petisco", "dead_letter." + live, "dead_letter." + live)),
                topology.bindings());
        assertEquals(List.of(), plan(CLASSIC, sendMail().live("pod_7")).queues(), "without retries: nothing planned");
    }
}
