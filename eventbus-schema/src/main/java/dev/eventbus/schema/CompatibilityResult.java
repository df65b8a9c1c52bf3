package dev.eventbus.schema;

import dev.eventbus.core.ConfigurationException;
import java.util.List;
import java.util.Objects;

/**
 * The verdict of a compatibility check.
 *
 * @param mode       the mode that was checked
 * @param compatible true when there are no problems
 * @param problems   each problem as {@code <json pointer into the schema>: <what breaks and for whom>}
 */
public record CompatibilityResult(CompatibilityMode mode, boolean compatible, List<String> problems) {

    /**
     * Checks that the flag agrees with the problems.
     *
     * @throws IllegalArgumentException if {@code compatible} is true with problems, or false without
     */
    public CompatibilityResult {
        Objects.requireNonNull(mode, "mode");
        problems = List.copyOf(problems);
        if (compatible != problems.isEmpty()) {
            throw new IllegalArgumentException("a compatibility result is compatible exactly when it has no problems, got compatible="
                    + compatible + " with " + problems.size() + " problem(s)");
        }
    }

    /** A result for a mode from its problems: compatible when there are none. */
    public static CompatibilityResult of(CompatibilityMode mode, List<String> problems) {
        return new CompatibilityResult(mode, problems.isEmpty(), problems);
    }

    /**
     * Returns this result if compatible, for use in tests and builds.
     *
     * @throws ConfigurationException listing the problems otherwise
     */
    public CompatibilityResult requireCompatible() {
        if (!compatible) {
            throw new ConfigurationException(describe());
        }
        return this;
    }

    /** One line for a compatible result, else a line per problem under a heading. */
    public String describe() {
        if (compatible) {
            return mode + " compatible";
        }
        StringBuilder text = new StringBuilder("not ").append(mode).append(" compatible (")
                .append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
        for (String problem : problems) {
            text.append("\n  - ").append(problem);
        }
        return text.toString();
    }
}
