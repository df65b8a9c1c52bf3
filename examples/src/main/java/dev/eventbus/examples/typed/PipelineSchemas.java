package dev.eventbus.examples.typed;

import dev.eventbus.schema.JsonSchemaValidator;
import dev.eventbus.schema.MissingSchemaPolicy;
import dev.eventbus.schema.SchemaRegistry;

/**
 * The JSON Schemas of the pipeline's and the event store's messages, under the classpath root
 * {@value #ROOT} ({@code <name>/<version>.json}). A root of their own, beside the demo's {@code eventbus/schemas},
 * so that each example checks exactly its own contracts. Stateless and thread-safe.
 */
public final class PipelineSchemas {

    /** The classpath root of the schemas. */
    public static final String ROOT = "eventbus/pipeline-schemas";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.fromClasspath(PipelineSchemas.class.getClassLoader(), ROOT);
    private static final JsonSchemaValidator VALIDATOR = JsonSchemaValidator.builder().registry(REGISTRY).build();
    private static final JsonSchemaValidator STORE_VALIDATOR = JsonSchemaValidator.builder().registry(REGISTRY)
            .missingSchema(MissingSchemaPolicy.ALLOW_AND_LOG_ONCE).build();

    private PipelineSchemas() {
    }

    /** Every schema, read once when this class is first used. */
    public static SchemaRegistry registry() {
        return REGISTRY;
    }

    /**
     * The validator every pipeline bus checks messages with, on publish and on consume; a message without a schema
     * is rejected.
     */
    public static JsonSchemaValidator validator() {
        return VALIDATOR;
    }

    /**
     * The validator of the event store: it checks every message that has a schema, and lets through (logging once
     * per name and version) messages of other services on the vhost, which it must store too.
     */
    public static JsonSchemaValidator storeValidator() {
        return STORE_VALIDATOR;
    }
}
