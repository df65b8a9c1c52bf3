package dev.eventbus.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Event;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.InMemoryEventBusBuilder;
import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.MessageName;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import org.junit.jupiter.api.Test;

/**
 * The code of docs/schemas.md, compiled and run against this module's test schemas (the docs include the tagged
 * regions; after editing one, run {@code ./mvnw -q -pl docs test -Deventbus.docs.update=true}).
 */
class SchemasDocsExamplesTest {

    /** user.created v1 requires {@code user_id} (a UUID) and {@code email}. */
    @MessageName("user.created")
    record UserCreated(String userId, String email) implements Event {
    }

    @Test
    void oneCallOnTheBusBuilderTurnsValidationOn() {
        InMemoryEventBusBuilder builder = InMemoryEventBus.builder();
        // tag::validator[]
        builder.validator(JsonSchemaValidator.fromClasspath());   // then build the bus as usual
        // end::validator[]
        InMemoryEventBus bus = builder.build();

        InvalidMessageException invalid = assertThrows(InvalidMessageException.class,
                () -> bus.publish(new UserCreated("not-a-uuid", "ada@example.com")));
        assertEquals("user.created", invalid.messageName());
        bus.publish(new UserCreated("6f1c2a7e-8d3b-4c1a-9e2f-0a1b2c3d4e5f", "ada@example.com"));
        bus.stop();

        RabbitMqEventBusBuilder rabbit = RabbitMqEventBus.builder().organization("alice").service("petisco");
        rabbit.validator(JsonSchemaValidator.fromClasspath());   // the RabbitMQ bus builder takes the same call
    }

    @Test
    void theValidatorBuilderChoosesTheRegistryAndTheMissingSchemaPolicy() {
        // tag::validator-builder[]
        JsonSchemaValidator validator = JsonSchemaValidator.builder()
                .registry(SchemaRegistry.fromClasspath())                 // default
                .missingSchema(MissingSchemaPolicy.ALLOW_AND_LOG_ONCE)    // default REJECT
                .build();
        // end::validator-builder[]
        assertEquals(MissingSchemaPolicy.ALLOW_AND_LOG_ONCE, validator.missingSchemaPolicy());
        assertTrue(validator.registry().list().contains(new SchemaId("user.created", 2)), validator.registry().list().toString());
    }

    // tag::compatibility-test[]
    @Test
    void schemasStayBackwardCompatible() {
        SchemaCompatibility.checkRegistry(SchemaRegistry.fromClasspath(), CompatibilityMode.BACKWARD).requireCompatible();
    }
    // end::compatibility-test[]
}
