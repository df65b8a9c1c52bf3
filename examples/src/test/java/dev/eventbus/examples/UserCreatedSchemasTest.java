package dev.eventbus.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.schema.CompatibilityMode;
import dev.eventbus.schema.CompatibilityResult;
import dev.eventbus.schema.JsonSchemaValidator;
import dev.eventbus.schema.SchemaCompatibility;
import dev.eventbus.schema.SchemaId;
import dev.eventbus.schema.SchemaRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The build fails here when a new version of an example event would break its consumers. */
class UserCreatedSchemasTest {

    private final SchemaRegistry schemas = SchemaRegistry.fromClasspath();

    @Test
    void everyVersionOfEveryExampleEventIsFullyCompatibleWithTheOneBefore() {
        assertEquals(List.of(new SchemaId("user.created", 1), new SchemaId("user.created", 2)), schemas.list());
        CompatibilityResult result = SchemaCompatibility.checkRegistry(schemas, CompatibilityMode.FULL);
        assertTrue(result.compatible(), result::describe);
    }

    @Test
    void theExampleEventMatchesItsSchema() {
        JsonSchemaValidator validator = JsonSchemaValidator.builder().registry(schemas).build();
        MessageCodec codec = new MessageCodec(new MessageRegistry());
        Message<UserCreated> valid = Message.of(new UserCreated("u-1", "Alice"));
        validator.validate(valid.name(), valid.version(), codec.attributes(valid));

        Message<UserCreated> invalid = Message.of(new UserCreated("", "Alice"));
        InvalidMessageException error = assertThrows(InvalidMessageException.class,
                () -> validator.validate(invalid.name(), invalid.version(), codec.attributes(invalid)));
        assertTrue(error.violations().get(0).startsWith("#/user_id"), error.violations().toString());
    }
}
