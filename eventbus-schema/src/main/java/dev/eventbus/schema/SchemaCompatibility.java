package dev.eventbus.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.json.JSONObject;

/**
 * Checks whether a new version of a schema is compatible with the previous one under a
 * {@link CompatibilityMode}. A schema "reads" data when every message the writer's schema allows is
 * valid under the reader's schema: BACKWARD means the newer schema reads the older one's messages,
 * FORWARD the reverse, FULL both. The exact rules, including the open/closed content model of objects,
 * are in {@code docs/schemas.md}; constructs the check cannot reason about are reported as problems
 * rather than passed.
 *
 * <p>Stateless and thread-safe; pure computation on the schema documents.
 */
public final class SchemaCompatibility {

    private static final String OLDER = "the older schema";
    private static final String NEWER = "the newer schema";

    private SchemaCompatibility() {
    }

    /**
     * Compares two schema documents (draft-07, local {@code $ref}s only).
     *
     * @param older the previous version
     * @param newer the version that replaces it
     * @param mode  the compatibility required
     * @return the verdict, with each problem as {@code <json pointer into the schema>: <what breaks>}
     */
    public static CompatibilityResult check(JSONObject older, JSONObject newer, CompatibilityMode mode) {
        Objects.requireNonNull(older, "older");
        Objects.requireNonNull(newer, "newer");
        Objects.requireNonNull(mode, "mode");
        List<String> problems = new ArrayList<>();
        if (mode != CompatibilityMode.FORWARD) {
            problems.addAll(ReadabilityCheck.problems(newer, older, NEWER, OLDER, "not BACKWARD compatible"));
        }
        if (mode != CompatibilityMode.BACKWARD) {
            problems.addAll(ReadabilityCheck.problems(older, newer, OLDER, NEWER, "not FORWARD compatible"));
        }
        return CompatibilityResult.of(mode, problems);
    }

    /** Compares two loaded schemas; see {@link #check(JSONObject, JSONObject, CompatibilityMode)}. */
    public static CompatibilityResult check(MessageSchema older, MessageSchema newer, CompatibilityMode mode) {
        Objects.requireNonNull(older, "older");
        Objects.requireNonNull(newer, "newer");
        return check(older.document(), newer.document(), mode);
    }

    /**
     * Compares each pair of successive versions (v1 with v2, v2 with v3, ...) of every message name in a
     * registry. Versions need not be contiguous: v1 and v3 are successive when v2 has no schema. Pairs
     * are compared one step at a time, not each version with all earlier ones.
     *
     * @return the verdict, with each problem prefixed by the pair, e.g. {@code user.created v1 -> v2: #/properties/...}
     */
    public static CompatibilityResult checkRegistry(SchemaRegistry registry, CompatibilityMode mode) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(mode, "mode");
        List<String> problems = new ArrayList<>();
        MessageSchema previous = null;
        for (MessageSchema schema : registry.schemas()) {
            if (previous != null && previous.name().equals(schema.name())) {
                String pair = schema.name() + " v" + previous.version() + " -> v" + schema.version() + ": ";
                for (String problem : check(previous, schema, mode).problems()) {
                    problems.add(pair + problem);
                }
            }
            previous = schema;
        }
        return CompatibilityResult.of(mode, problems);
    }
}
