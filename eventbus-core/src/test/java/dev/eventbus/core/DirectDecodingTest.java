package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one-pass decoding of {@link MessageCodec#decode}: it binds well-formed bodies straight from the bytes, gives the
 * same message as the tree path, and leaves every failure to the tree path, whose errors are unchanged.
 */
class DirectDecodingTest {

    record OrderPlaced(String orderId, int quantity, List<String> items, Instant at) implements Event { }

    private static final String ID = "0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d";
    private final MessageRegistry registry = new MessageRegistry().register(OrderPlaced.class);
    private final MessageCodec codec = new MessageCodec(registry);
    private final DirectDecoder direct = new DirectDecoder(registry, MessageCodec.defaultMapper(),
            MessageCodec.defaultMapper().reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS));

    private static byte[] body(String json) {
        return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    private static final String ATTRIBUTES = "'attributes': {'order_id': 'o-1', 'quantity': 3, 'items': ['a', 'b'],"
            + " 'at': '2026-11-22 10:15:30.123456'}";

    @Test
    void bindsAttributesStraightFromTheBytesWithTheTreePathsResult() {
        byte[] body = body("{'data': {'id': '" + ID + "', 'type': 'order.placed', 'type_message': 'domain_event', 'version': 1,"
                + " 'occurred_on': '2026-11-22 10:15:30.123456', " + ATTRIBUTES + ", 'meta': {'correlation_id': 'c-1'}}}");

        Message<?> streamed = direct.decode(body);

        assertNotNull(streamed, "a well-formed body is decoded in one pass, not handed to the tree path");
        assertEquals(codec.toMessage(codec.decodeEnvelope(body)), streamed);
        assertEquals(new OrderPlaced("o-1", 3, List.of("a", "b"), Instant.parse("2026-11-22T10:15:30.123456Z")), streamed.payload());
        assertEquals(Map.of("correlation_id", "c-1"), streamed.meta());
    }

    @Test
    void buffersAttributesThatComeBeforeTheTypeAndVersion() {
        byte[] body = body("{'data': {" + ATTRIBUTES + ", 'id': '" + ID + "', 'occurred_on': '2026-11-22 10:15:30.123456',"
                + " 'type': 'order.placed', 'version': 1}, 'extra': [1, {'x': 2}]}");

        Message<?> streamed = direct.decode(body);

        assertNotNull(streamed, "attributes before type are buffered, not handed to the tree path");
        assertEquals(codec.toMessage(codec.decodeEnvelope(body)), streamed);
        assertEquals(MessageKind.DOMAIN_EVENT, streamed.kind());
    }

    @Test
    void leavesEveryUnusualBodyToTheTreePath() {
        String envelope = "'id': '" + ID + "', 'type': 'order.placed', 'version': 1, ";
        List<String> unusual = List.of(
                "{'data': {" + envelope + ATTRIBUTES + "}} {}",                                   // trailing value
                "{'data': {" + envelope + ATTRIBUTES + ", 'type': 'order.placed'}}",              // duplicate field
                "{'data': {" + envelope + ATTRIBUTES + ", 'meta': {'retries': 1}}}",              // non-string meta
                "{'data': {" + envelope + "'attributes': {'order_id': 'o-1', 'quantity': '3'}}}", // mismatch
                "{'data': {" + envelope.replace("1, ", "'1', ") + ATTRIBUTES + "}}",              // version as a string
                "{'data': {" + envelope.replace("order.placed", "order.cancelled") + ATTRIBUTES + "}}", // unknown type
                "{'data': {" + envelope + "'type_message': 'command', " + ATTRIBUTES + "}}",      // kinds disagree
                "{'data': {" + envelope + "'attributes': null}}",                                  // no attributes
                "{'data': {" + envelope.replace(ID, "not-a-uuid") + ATTRIBUTES + "}}",             // bad id
                "{'data': {" + envelope + "'occurred_on': '2026-02-30 10:00:00', " + ATTRIBUTES + "}}"); // impossible date
        for (String json : unusual) {
            assertNull(direct.decode(body(json)), () -> "handed to the tree path: " + json);
        }
    }

    @Test
    void failuresKeepTheTreePathsReasonAndMessage() {
        byte[] body = body("{'data': {'id': '" + ID + "', 'type': 'order.placed', 'version': 1,"
                + " 'attributes': {'order_id': 'o-1', 'quantity': '3', 'items': [], 'at': '2026-11-22 10:15:30'}}}");

        MessageDecodingException failure = assertThrows(MessageDecodingException.class, () -> codec.decode(body));

        assertEquals(MessageDecodingException.Reason.ATTRIBUTES_MISMATCH, failure.reason());
        assertEquals("attributes.quantity", failure.field());
        assertEquals(assertThrows(MessageDecodingException.class, () -> codec.toMessage(codec.decodeEnvelope(body))).getMessage(),
                failure.getMessage());
    }
}
