package dev.eventbus.rabbitmq;

import dev.eventbus.core.Convention;
import dev.eventbus.core.Event;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopologyRendererTest {

    record UserCreated(String userId) implements Event {
    }

    private static final String QUEUE = "alice.petisco.1.event.user_created.send_mail_handler";

    private static Topology plan(Subscription... subscriptions) {
        return Topology.plan(Convention.of("alice", "petisco"), List.of(subscriptions),
                new Topology.Options(QueueType.CLASSIC, 10, 5000, RetryPolicy.DEFAULT, false));
    }

    private static long lines(String text, String containing) {
        return text.lines().filter(line -> line.contains(containing)).count();
    }

    @Test
    void aHandlerQueueHasItsConsumerWithItsTwoWaysOutAndADeadLetterQueueHasNone() {
        String mermaid = TopologyRenderer.mermaid(plan(Subscription.of(UserCreated.class, "send_mail_handler", m -> { })));
        assertEquals(1, lines(mermaid, "consumer: "), mermaid);
        assertTrue(mermaid.contains("Q1 --> C1([\"consumer: send_mail_handler\"])"), mermaid);
        assertTrue(mermaid.contains("C1 -- \"failed, retries left:<br/>retry." + QUEUE + "\" --> X2"), mermaid);
        assertTrue(mermaid.contains("C1 -- \"no retries left, or not retryable:<br/>dead_letter." + QUEUE + "\" --> X3"), mermaid);
        assertTrue(mermaid.contains("Q2 -. \"expired or rejected: retry." + QUEUE + "\" .-> X1"),
                "the retry queue dead-letters back to the main exchange: " + mermaid);
    }

    @Test
    void theStoreQueueHasItsConsumerAndSharedObjectsAreMarked() {
        String mermaid = TopologyRenderer.mermaid(plan(Subscription.store("event_store", m -> { })));
        assertEquals(1, lines(mermaid, "consumer: "), mermaid);
        assertTrue(mermaid.contains("{{\"retry.alice.store<br/>(shared)\"}}"), mermaid);
        String table = TopologyRenderer.table(plan(Subscription.store("event_store", m -> { })));
        assertTrue(table.lines().anyMatch(line -> line.startsWith("queue ") && line.contains(" store ") && line.endsWith("(shared)")),
                table);
    }

    @Test
    void jsonHasEveryExchangeQueueAndBinding() {
        Topology topology = plan(Subscription.of(UserCreated.class, "send_mail_handler", m -> { }));
        var tree = TopologyRenderer.jsonTree(topology);
        assertEquals(topology.exchanges().size(), tree.get("exchanges").size());
        assertEquals(topology.queues().size(), tree.get("queues").size());
        assertEquals(topology.bindings().size(), tree.get("bindings").size());
        assertEquals(5000, tree.get("queues").get(1).get("arguments").get(Topology.MESSAGE_TTL).asInt());
        assertTrue(TopologyRenderer.json(topology).endsWith("}\n"));
    }
}
