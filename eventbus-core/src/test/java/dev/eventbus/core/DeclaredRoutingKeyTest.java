package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The names a declared routing key ({@link RoutingKey}) and a live subscription give, and the keys refused. */
class DeclaredRoutingKeyTest {

    // tag::routing-key[]
    @RoutingKey("stega.returns_updated")   // published and bound with exactly this key
    record ReturnsUpdated(String portfolioId) implements Event {
    }
    // end::routing-key[]

    @RoutingKey("stega.*.updated")
    record Wildcard(String id) implements Event {
    }

    @RoutingKey("")
    record Empty(String id) implements Event {
    }

    record Plain(String id) implements Event {
    }

    private final Convention convention = Convention.of("alice", "stega");

    @Test
    void aDeclaredKeyIsTheRoutingKeyOfTheTypeAndOfItsMessagesAndNamesItsHandlerQueues() {
        MessageType<ReturnsUpdated> type = MessageType.of(ReturnsUpdated.class);

        assertEquals(Optional.of("stega.returns_updated"), type.declaredRoutingKey());
        assertEquals("returns.updated", type.name(), "the wire name is unchanged");
        assertEquals("stega.returns_updated", convention.routingKey(type));
        assertEquals("stega.returns_updated", convention.routingKey(Message.of(new ReturnsUpdated("p-1"))));
        assertEquals("alice.stega.stega.returns_updated.refresh_view", convention.handlerQueue(type, "refresh_view"));
        Endpoint endpoint = convention.endpoints(Subscription.of(ReturnsUpdated.class, "refresh_view", m -> { })
                .from("portfolios")).get(0);
        assertEquals(List.of(new Endpoint.Binding("alice.portfolios", "stega.returns_updated")), endpoint.bindings());
    }

    @Test
    void aTypeWithoutADeclaredKeyKeepsTheConventionsKey() {
        assertEquals(Optional.empty(), MessageType.of(Plain.class).declaredRoutingKey());
        assertEquals("alice.stega.1.event.plain", convention.routingKey(MessageType.of(Plain.class)));
    }

    @Test
    void aKeyWithWildcardsOrNoWordsIsRefusedNamingTheClass() {
        ConfigurationException wildcard = assertThrows(ConfigurationException.class, () -> MessageType.of(Wildcard.class));
        assertTrue(wildcard.getMessage().contains("stega.*.updated") && wildcard.getMessage().contains("Wildcard"),
                wildcard.getMessage());
        assertThrows(ConfigurationException.class, () -> MessageType.of(Empty.class));
    }

    @Test
    void aLiveSubscriptionsQueuesAreNamedAfterItsInstanceAndBoundAsTheOthers() {
        // tag::live[]
        Subscription live = Subscription.of("dashboard", (Message<Event> m) -> { }, ReturnsUpdated.class, Plain.class)
                .live("pod_7");   // live(): a random instance id; queues <handler queue>.live.pod_7, while it runs
        // end::live[]

        List<Endpoint> endpoints = convention.endpoints(live);

        assertEquals(List.of("alice.stega.stega.returns_updated.dashboard.live.pod_7", "alice.stega.1.event.plain.dashboard.live.pod_7"),
                endpoints.stream().map(Endpoint::queue).toList());
        assertEquals(List.of(new Endpoint.Binding("alice.stega", "stega.returns_updated")), endpoints.get(0).bindings());
        assertTrue(live.isLive());
        assertEquals(Optional.of("pod_7"), live.liveInstance());
        assertTrue(Subscription.of(Plain.class, "x", m -> { }).live().liveInstance().orElseThrow().matches("[0-9a-f]{8}"));
        assertThrows(ConfigurationException.class, () -> Subscription.of(Plain.class, "x", m -> { }).live("Pod 7"));
    }

    @Test
    void aLiveSubscriptionRetriesOnlyWithAFixedPolicyOfItsOwn() {
        // tag::live-retry[]
        Subscription live = Subscription.of(ReturnsUpdated.class, "refresh_view", m -> { })
                .live("pod_7")
                .withRetry(RetryPolicy.of(3, java.time.Duration.ofSeconds(1)));   // retry.<live queue>, 1 s, 3 times
        // end::live-retry[]

        assertTrue(live.isLiveWithRetries());
        assertEquals(Optional.of(RetryPolicy.of(3, java.time.Duration.ofSeconds(1))), live.retryPolicy());
        ConfigurationException backoff = assertThrows(ConfigurationException.class, () -> live.withRetry(
                RetryPolicy.exponential(3, java.time.Duration.ofMillis(100), 2, java.time.Duration.ofSeconds(1))));
        assertTrue(backoff.getMessage().contains("refresh_view") && backoff.getMessage().contains("shared delay queues"),
                backoff.getMessage());
    }
}
