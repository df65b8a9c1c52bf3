package dev.eventbus.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.MessageValidator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates message attributes against the JSON Schema for their name and version. Give it to a bus
 * builder ({@code .validator(JsonSchemaValidator.fromClasspath())}): the bus calls it before publishing
 * (an invalid message throws and nothing is sent) and after decoding a consumed message (an invalid
 * message is dead-lettered with the violations and never retried).
 *
 * <p>Schemas are compiled once by the {@link SchemaRegistry}; validating a message does no parsing and
 * no I/O, only a copy of the attributes tree into org.json (see {@code docs/schemas.md} for the cost)
 * and everit's validation. Thread-safe: the registry is immutable and the "warned once" set is concurrent.
 */
public final class JsonSchemaValidator implements MessageValidator {

    private static final Logger log = LoggerFactory.getLogger(JsonSchemaValidator.class);

    private final SchemaRegistry registry;
    private final MissingSchemaPolicy missingSchema;
    private final Set<SchemaId> warnedMissing = ConcurrentHashMap.newKeySet();

    private JsonSchemaValidator(SchemaRegistry registry, MissingSchemaPolicy missingSchema) {
        this.registry = registry;
        this.missingSchema = missingSchema;
    }

    /**
     * A validator for the schemas under the classpath root {@code eventbus/schemas}, rejecting messages
     * without a schema. Reads and compiles every schema now (blocking).
     *
     * @throws dev.eventbus.core.ConfigurationException naming the file and the problem if a schema is invalid
     */
    public static JsonSchemaValidator fromClasspath() {
        return builder().build();
    }

    /** A builder; set only what differs from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Validates the attributes of a message.
     *
     * @throws InvalidMessageException listing each violation as {@code <json pointer>: <message>}, or, under
     *                                 {@link MissingSchemaPolicy#REJECT}, saying that no schema exists and
     *                                 where it belongs
     */
    @Override
    public void validate(String name, int version, JsonNode attributes) {
        Optional<MessageSchema> schema = registry.find(name, version);
        if (schema.isEmpty()) {
            missingSchema(name, version);
            return;
        }
        List<String> violations = schema.get().violations(JacksonToOrgJson.convert(attributes));
        if (!violations.isEmpty()) {
            throw new InvalidMessageException(name, version, violations);
        }
    }

    private void missingSchema(String name, int version) {
        String where = registry.expectedLocation(name, version);
        if (missingSchema == MissingSchemaPolicy.REJECT) {
            throw new InvalidMessageException(name, version, List.of("#: no JSON Schema exists for " + name + " v" + version
                    + " in " + registry.origin() + "; add it as " + where
                    + " (or build the validator with MissingSchemaPolicy.ALLOW_AND_LOG_ONCE to let such messages through)"));
        }
        SchemaId id = validId(name, version);
        if (id == null || warnedMissing.add(id)) {
            log.warn("no JSON Schema for {} v{} in {}: its messages pass unvalidated; add it as {}",
                    name, version, registry.origin(), where);
        }
    }

    /** The id for the once-only warning, or null for a name or version no schema could ever have. */
    private static SchemaId validId(String name, int version) {
        try {
            return new SchemaId(name, version);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The registry this validator looks schemas up in. */
    public SchemaRegistry registry() {
        return registry;
    }

    /** What happens to a message without a schema. */
    public MissingSchemaPolicy missingSchemaPolicy() {
        return missingSchema;
    }

    @Override
    public String toString() {
        return "JsonSchemaValidator[" + registry + ", missing schema: " + missingSchema + "]";
    }

    /** Builds a {@link JsonSchemaValidator}. Not thread-safe; the validator it builds is. */
    public static final class Builder {

        private SchemaRegistry registry;
        private MissingSchemaPolicy missingSchema = MissingSchemaPolicy.REJECT;

        private Builder() {
        }

        /** The schemas to validate against. Default is {@link SchemaRegistry#fromClasspath()}, loaded by {@link #build()}. */
        public Builder registry(SchemaRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** What to do with a message that has no schema. Default is {@link MissingSchemaPolicy#REJECT}. */
        public Builder missingSchema(MissingSchemaPolicy policy) {
            this.missingSchema = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The validator. Loads the classpath schemas now if no registry was set (blocking).
         *
         * @throws dev.eventbus.core.ConfigurationException naming the file and the problem if a schema is invalid
         */
        public JsonSchemaValidator build() {
            return new JsonSchemaValidator(registry != null ? registry : SchemaRegistry.fromClasspath(), missingSchema);
        }
    }
}
