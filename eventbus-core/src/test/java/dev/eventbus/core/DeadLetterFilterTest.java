package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterFilterTest {

    private static final String QUEUE = "alice.petisco.1.event.user_created.send_mail_handler";
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

    private static DeadLetter letter(String body, DeadLetterReason reason, String error) {
        return DeadLetter.builder(body.getBytes(StandardCharsets.UTF_8), "send_mail_handler", QUEUE).reason(reason)
                .failure("java.lang.IllegalStateException", error).deadLetteredAt(AT).build();
    }

    private static final String BODY = "{\"data\": {\"id\": \"6c5e1a3e-0f1d-4a57-9b6e-2b7f0e1c9d10\", \"type\": \"user.created\","
            + " \"version\": 2, \"attributes\": {\"nested\": {\"id\": \"not this one\"}}}}";

    @Test
    void aLetterReadsItsMessageIdNameAndVersionFromThePetiscoEnvelope() {
        DeadLetter letter = letter(BODY, DeadLetterReason.NON_RETRYABLE, "boom");
        assertEquals("6c5e1a3e-0f1d-4a57-9b6e-2b7f0e1c9d10", letter.messageId());
        assertEquals("user.created", letter.messageName());
        assertEquals(2, letter.messageVersion());
        assertTrue(letter.id().startsWith("6c5e1a3e-0f1d-4a57-9b6e-2b7f0e1c9d10/"), letter.id());
        assertEquals(letter.id(), letter(BODY, DeadLetterReason.NON_RETRYABLE, "boom").id(), "the same letter, the same id");
        assertNotEquals(letter.id(), letter(BODY, DeadLetterReason.NON_RETRYABLE, "boom again").id(),
                "the same message dead-lettered twice: two ids");
    }

    @Test
    void aBodyThatIsNotAnEnvelopeHasNoIdentityAndTheTransportsIdIsTheFallback() {
        DeadLetter garbage = letter("not json {", DeadLetterReason.UNDECODABLE, "bad");
        assertNull(garbage.messageId());
        assertNull(garbage.messageName());
        assertEquals(0, garbage.messageVersion());
        assertTrue(garbage.id().startsWith("unknown/"), garbage.id());
        DeadLetter fallback = DeadLetter.builder("[]".getBytes(StandardCharsets.UTF_8), "h", QUEUE)
                .transportIdentity("amqp-id", "user.created").build();
        assertEquals("amqp-id", fallback.messageId());
        assertEquals("user.created", fallback.messageName());
    }

    @Test
    void theCompatibleConstructorKeepsTheOldAccessors() {
        DeadLetter old = new DeadLetter(BODY.getBytes(StandardCharsets.UTF_8), "send_mail_handler", QUEUE, "rk",
                DeadLetterReason.INVALID, 1, "X", "y", AT);
        assertEquals("rk", old.routingKey());
        assertEquals(AT, old.deadLetteredAt());
        assertEquals(AT, old.lastFailedAt());
        assertEquals("user.created", old.messageName());
        assertEquals(Map.of(), old.headers());
    }

    @Test
    void aFilterMatchesOnlyWhatEveryCriterionAllows() {
        DeadLetter letter = letter(BODY, DeadLetterReason.NON_RETRYABLE, "Mail server DOWN");
        assertTrue(DeadLetterFilter.ALL.matches(letter));
        assertTrue(DeadLetterFilter.builder().reason(DeadLetterReason.INVALID, DeadLetterReason.NON_RETRYABLE)
                .messageName("user.created").messageVersion(2).errorContains("server down")
                .deadLetteredAfter(AT).deadLetteredBefore(AT.plusSeconds(1)).build().matches(letter));
        assertFalse(DeadLetterFilter.builder().reason(DeadLetterReason.INVALID).build().matches(letter));
        assertFalse(DeadLetterFilter.builder().messageVersion(1).build().matches(letter));
        assertFalse(DeadLetterFilter.builder().deadLetteredBefore(AT).build().matches(letter), "before is exclusive");
        assertTrue(DeadLetterFilter.builder().errorContains("illegalstate").build().matches(letter), "the class too");
        assertFalse(DeadLetterFilter.builder().letter("other/1").build().matches(letter));
        assertTrue(DeadLetterFilter.builder().letter(letter.id()).build().matches(letter));
        DeadLetter timeless = DeadLetter.builder(BODY.getBytes(StandardCharsets.UTF_8), "h", QUEUE).build();
        assertFalse(DeadLetterFilter.builder().olderThan(java.time.Duration.ofMinutes(1)).build().matches(timeless),
                "a letter without a time matches no age");
        assertTrue(DeadLetterFilter.builder().handler("send_mail_handler").build().covers(QUEUE, "send_mail_handler"));
        assertFalse(DeadLetterFilter.builder().queue("other").build().covers(QUEUE, "send_mail_handler"));
    }

    @Test
    void aFilterRefusesCriteriaNoLetterCouldMeet() {
        assertThrows(IllegalArgumentException.class, () -> DeadLetterFilter.builder().limit(0));
        assertThrows(IllegalArgumentException.class, () -> DeadLetterFilter.builder().messageVersion(0));
        assertThrows(IllegalArgumentException.class, () -> DeadLetterFilter.builder().handler(" "));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> DeadLetterFilter.builder()
                .deadLetteredAfter(AT).deadLetteredBefore(AT).build());
        assertTrue(empty.getMessage().contains("no letter can match"), empty.getMessage());
    }
}
