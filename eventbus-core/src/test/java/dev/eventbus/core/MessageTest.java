package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageTest {

    record UserCreated(String userId) implements Event { }

    /** Ids petisco cannot parse as a UUID, including what {@link UUID#fromString} would take. */
    @ParameterizedTest(name = "[{index}] ''{0}''")
    @ValueSource(strings = {"", "id-1", "1", "1-1-1-1-1", "0b0c1f1e7a554b5f9a7e3d1c2a4b5c6d", "{0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d}",
            "urn:uuid:0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d", " 0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d",
            "0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6g", "0b0c1f1e_7a55_4b5f_9a7e_3d1c2a4b5c6d", "0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d0"})
    void aMessageWithAnIdThatIsNotAUuidIsInvalidNamingTheId(String id) {
        InvalidMessageException error = assertThrows(InvalidMessageException.class, () -> new Message<>(id, "user.created", 1,
                MessageKind.DOMAIN_EVENT, Instant.EPOCH, new UserCreated("u-1"), Map.of()), () -> "id '" + id + "'");
        assertEquals("user.created", error.messageName());
        assertEquals(1, error.violations().size());
        String violation = error.violations().get(0);
        assertTrue(violation.startsWith("id: '" + id + "' is not a UUID"), () -> "violation: " + violation);
        assertTrue(violation.contains("Message.of"), () -> "the violation should say how to get a valid id: " + violation);
        assertThrows(InvalidMessageException.class, () -> new Envelope(id, "user.created", 1, MessageKind.DOMAIN_EVENT,
                Instant.EPOCH, JsonNodeFactory.instance.objectNode(), Map.of()), "an envelope has the same rule");
    }

    @Test
    void aVeryLongIdIsCutInTheError() {
        String id = "x".repeat(10_000);
        InvalidMessageException error = assertThrows(InvalidMessageException.class, () -> new Message<>(id, "user.created", 1,
                MessageKind.DOMAIN_EVENT, Instant.EPOCH, new UserCreated("u-1"), Map.of()));
        assertTrue(error.getMessage().length() < 500, () -> "message of " + error.getMessage().length() + " characters");
        assertTrue(error.getMessage().contains("(10000 characters)"), error::getMessage);
    }

    @Test
    void newMessagesGetRandomUuidsGivenCanonicalUuidsAreKeptAndNothingElseIsAnId() {
        Message<UserCreated> message = Message.of(new UserCreated("u-1"));
        UUID generated = UUID.fromString(message.id());
        assertEquals(4, generated.version(), "a random UUID");
        assertEquals(generated.toString(), message.id(), "canonical lower-case form");
        assertEquals(message.id(), message.withMeta("k", "v").id(), "copies keep the id");
        assertTrue(!message.id().equals(Message.of(new UserCreated("u-1")).id()), "a new id each time");
        for (String id : List.of("0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d", "0B0C1F1E-7A55-4B5F-9A7E-3D1C2A4B5C6D",
                "00000000-0000-0000-0000-000000000000", UUID.nameUUIDFromBytes(new byte[] {1}).toString())) {
            assertEquals(id, new Message<>(id, "user.created", 1, MessageKind.DOMAIN_EVENT, Instant.EPOCH, new UserCreated("u"),
                    Map.of()).id(), "kept as given");
        }
        assertThrows(InvalidMessageException.class, () -> new Message<>("id-1", "user.created", 1, MessageKind.DOMAIN_EVENT,
                Instant.EPOCH, new UserCreated("u"), Map.of()), "any other text is refused");
    }

    @Test
    void kindMessageIsNoTypesKind() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> new MessageType<>(UserCreated.class, "user.created", 1, MessageKind.MESSAGE));
        assertTrue(error.getMessage().contains(UserCreated.class.getName()) && error.getMessage().contains("kind message")
                && error.getMessage().contains("DOMAIN_EVENT or COMMAND"), error::getMessage);
    }
}
