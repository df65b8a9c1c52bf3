package dev.eventbus.schema;

import dev.eventbus.core.ConfigurationException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.everit.json.schema.FormatValidator;
import org.everit.json.schema.Schema;
import org.everit.json.schema.loader.SchemaClient;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONArray;
import org.json.JSONObject;
import org.json.JSONPointer;

/**
 * Compiles schema documents with everit: draft-07 by default, the {@code uuid} format known, and no
 * network: a {@code $ref} to another document is refused at load time (services must not fetch schemas
 * from the internet when they start; keep shared definitions under {@code definitions} in the file).
 */
final class SchemaCompiler {

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private SchemaCompiler() {
    }

    /** Compiles {@code json}; {@code what} names the schema in error messages. */
    static Schema compile(JSONObject json, String what) {
        SchemaClient offline = url -> {
            throw new ConfigurationException("schema " + what + " refers to " + url
                    + ", but eventbus loads schemas offline: copy the definition into the file under \"definitions\" and refer to it as #/definitions/...");
        };
        requireNoReferenceLoop(json, json, what);
        try {
            return SchemaLoader.builder()
                    .schemaJson(json)
                    .draftV7Support()
                    .schemaClient(offline)
                    .addFormatValidator(new UuidFormat())
                    .build()
                    .load()
                    .build();
        } catch (ConfigurationException e) {
            throw e;
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                if (cause.getCause() instanceof ConfigurationException configuration) {
                    throw configuration;
                }
                cause = cause.getCause();
            }
            throw new ConfigurationException("schema " + what + " is not a valid JSON Schema: " + e.getMessage()
                    + "; fix the file (draft-07 rules, see https://json-schema.org/draft-07)", e);
        }
    }

    /**
     * Rejects a {@code $ref} chain that never reaches a schema ({@code a -> b -> a}): everit would recurse
     * until the stack overflows on the first message, so it is caught when the file is loaded.
     */
    private static void requireNoReferenceLoop(Object node, JSONObject root, String what) {
        if (node instanceof JSONObject object) {
            if (object.opt("$ref") instanceof String) {
                Set<String> seen = new LinkedHashSet<>();
                Object current = object;
                while (current instanceof JSONObject step && step.opt("$ref") instanceof String ref && ref.startsWith("#")) {
                    if (!seen.add(ref)) {
                        throw new ConfigurationException("schema " + what + " has a $ref loop " + String.join(" -> ", seen) + " -> " + ref
                                + " that never reaches a schema; point one of them at an actual schema");
                    }
                    try {
                        current = ref.equals("#") ? root : new JSONPointer(ref).queryFrom(root);
                    } catch (RuntimeException e) {
                        current = null; // an unresolvable pointer is reported by everit when loading
                    }
                }
            }
            for (String key : object.keySet()) {
                requireNoReferenceLoop(object.get(key), root, what);
            }
        } else if (node instanceof JSONArray array) {
            for (Object item : array) {
                requireNoReferenceLoop(item, root, what);
            }
        }
    }

    /** {@code "format": "uuid"}: 8-4-4-4-12 hex digits, as {@link java.util.UUID#toString()} writes them. */
    private static final class UuidFormat implements FormatValidator {

        @Override
        public Optional<String> validate(String subject) {
            return UUID_TEXT.matcher(subject).matches() ? Optional.empty()
                    : Optional.of("[" + subject + "] is not a valid uuid");
        }

        @Override
        public String formatName() {
            return "uuid";
        }
    }
}
