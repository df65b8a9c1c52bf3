package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OrderingKeyTest {

    record TaskCreated(String taskId, int seq, Nested nested) implements Event {
    }

    record Nested(String taskId) {
    }

    private final MessageCodec codec = new MessageCodec(new MessageRegistry().register(TaskCreated.class));

    private byte[] body(Message<?> message) {
        return codec.encode(message);
    }

    @Test
    void anAttributeKeyReadsThatPayloadFieldByItsWireName() {
        byte[] body = body(Message.of(new TaskCreated("t-1", 7, new Nested("inner"))));
        assertEquals("t-1", OrderingKey.attribute("task_id").keyOf(body, codec));
        assertEquals("7", OrderingKey.attribute("seq").keyOf(body, codec));
        assertEquals("", OrderingKey.attribute("nested").keyOf(body, codec), "an object is no key");
        assertEquals("", OrderingKey.attribute("missing").keyOf(body, codec));
    }

    @Test
    void aMetaKeyReadsThatMetaEntry() {
        byte[] body = body(Message.of(new TaskCreated("t-1", 7, new Nested("inner"))).withMeta("tenant", "acme"));
        assertEquals("acme", OrderingKey.meta("tenant").keyOf(body, codec));
        assertEquals("", OrderingKey.meta("task_id").keyOf(body, codec), "not an attribute");
    }

    @Test
    void aFunctionKeySeesTheMessageUntyped() {
        byte[] body = body(Message.of(new TaskCreated("t-1", 7, new Nested("inner"))));
        OrderingKey key = OrderingKey.of(message -> message.name() + "/" + message.payload().get("task_id"));
        assertEquals("task.created/t-1", key.keyOf(body, codec));
        assertEquals("", OrderingKey.of(message -> null).keyOf(body, codec));
    }

    @Test
    void anUnreadableBodyGetsTheEmptyKey() {
        byte[] garbage = "not json".getBytes(StandardCharsets.UTF_8);
        assertEquals("", OrderingKey.attribute("task_id").keyOf(garbage, codec));
        assertEquals("", OrderingKey.of(message -> "x").keyOf(garbage, codec));
        assertEquals("", OrderingKey.attribute("task_id").keyOf("[1]".getBytes(StandardCharsets.UTF_8), codec));
    }

    @Test
    void aBlankNameIsRefused() {
        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> OrderingKey.attribute(" "));
        assertTrue(refused.getMessage().contains("blank"), refused.getMessage());
    }

    @Test
    void aSubscriptionCarriesItsConsumingSettingsThroughItsOtherCopies() {
        Subscription subscription = Subscription.of(TaskCreated.class, "track", m -> { }).withConcurrency(8)
                .orderedBy(OrderingKey.attribute("task_id")).withSingleActiveConsumer()
                .withRetry(RetryPolicy.of(2, Duration.ofMillis(10))).publishingFailures();
        assertEquals(8, subscription.concurrency().orElseThrow());
        assertTrue(subscription.orderingKey().isPresent());
        assertTrue(subscription.singleActiveConsumer());
        assertTrue(Subscription.of(TaskCreated.class, "track", m -> { }).concurrency().isEmpty());
    }

    @Test
    void conflictingConsumingSettingsAreRefusedWithWhy() {
        Subscription plain = Subscription.of(TaskCreated.class, "track", m -> { });
        assertTrue(assertThrows(ConfigurationException.class, () -> plain.withConcurrency(0)).getMessage().contains("1 to 1024"));
        assertTrue(assertThrows(ConfigurationException.class, () -> plain.orderedBy(OrderingKey.attribute("task_id"))
                .withKillSwitch(KillSwitch.of(0.5, 10, Duration.ofSeconds(1)))).getMessage().contains("kill switch"));
        assertTrue(assertThrows(ConfigurationException.class, () -> plain.live("pod").withSingleActiveConsumer())
                .getMessage().contains("live"));
        assertThrows(ConfigurationException.class, () -> Subscription.store("store", m -> { }).withSingleActiveConsumer());
    }
}
