package dev.eventbus.examples.typed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.examples.billing.AccountDebited;
import dev.eventbus.examples.eventstore.ReplayCompleted;
import dev.eventbus.examples.eventstore.ReplayRequested;
import dev.eventbus.examples.pipeline.ObjectCreated;
import dev.eventbus.examples.pipeline.TaskCreated;
import dev.eventbus.examples.pipeline.TaskFinished;
import dev.eventbus.examples.pipeline.TaskFinishedV2;
import dev.eventbus.examples.pipeline.TaskStarted;
import dev.eventbus.schema.CompatibilityMode;
import dev.eventbus.schema.CompatibilityResult;
import dev.eventbus.schema.SchemaCompatibility;
import dev.eventbus.schema.SchemaId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pipeline's contracts: every message has a schema, the examples match them, and v2 does not break v1. */
class PipelineSchemasTest {

    private final MessageCodec codec = new MessageCodec(new MessageRegistry());

    private void validate(Object payload) {
        Message<?> message = Message.of(payload);
        PipelineSchemas.validator().validate(message.name(), message.version(), codec.attributes(message));
    }

    @Test
    void everyPipelineMessageHasASchemaAndTaskFinishedHasTwoVersions() {
        List<SchemaId> expected = List.of(new SchemaId("account.debited", 1), new SchemaId("object.created", 1), new SchemaId("replay.completed", 1),
                new SchemaId("replay.requested", 1), new SchemaId("task.created", 1), new SchemaId("task.finished", 1),
                new SchemaId("task.finished", 2), new SchemaId("task.started", 1));
        assertEquals(expected, PipelineSchemas.registry().list());
    }

    @Test
    void taskFinishedVersionTwoIsFullyCompatibleWithVersionOne() {
        CompatibilityResult result = SchemaCompatibility.checkRegistry(PipelineSchemas.registry(), CompatibilityMode.FULL);
        assertTrue(result.compatible(), result::describe);
    }

    @Test
    void theServicesMessagesMatchTheirSchemas() {
        validate(new ObjectCreated("o-1", "document"));
        validate(new TaskCreated("o-1-1", "o-1", "document", 1));
        validate(new TaskStarted("o-1-1", "o-1", "p-1"));
        validate(new TaskFinished("o-1-1", "o-1", "p-1"));
        validate(new TaskFinishedV2("o-1-1", "o-1", "p-1", 20));
        validate(new ReplayRequested("alice.audit.1.event.object.created.object_audit", "object.created", 1, 1, null));
        validate(new ReplayRequested("alice.audit.1.event.object.created.object_audit", "object.created", 1, 1, "m-1"));
        validate(new ReplayCompleted("alice.audit.1.event.object.created.object_audit", "m-2", 5, 4, 0));
        validate(new AccountDebited("acc-1", 250, 9_750));
    }

    @Test
    void rejectsATaskOutsideTheObjectsThreeSteps() {
        InvalidMessageException error = assertThrows(InvalidMessageException.class,
                () -> validate(new TaskCreated("o-1-4", "o-1", "document", 4)));
        assertTrue(error.violations().get(0).startsWith("#/step"), "expected a violation of #/step; got " + error.violations());
    }
}
