package dev.eventbus.schema;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.everit.json.schema.ValidationException;

/**
 * Flattens everit's tree of validation failures into one line per violation. Everit nests failures
 * (a summary "3 schema violations found" over its causes, an {@code allOf} over the keyword that
 * failed); only the leaves say what is wrong, so only they are kept, in everit's order, without
 * duplicates.
 */
final class Violations {

    private Violations() {
    }

    /** Each leaf violation as {@code <json pointer>: <message>}, e.g. {@code #/user_id: expected type: String, found: Integer}. */
    static List<String> flatten(ValidationException failure) {
        Set<String> lines = new LinkedHashSet<>();
        collect(failure, lines);
        return List.copyOf(new ArrayList<>(lines));
    }

    private static void collect(ValidationException failure, Set<String> lines) {
        List<ValidationException> causes = failure.getCausingExceptions();
        if (causes.isEmpty()) {
            lines.add(failure.getPointerToViolation() + ": " + failure.getErrorMessage());
            return;
        }
        for (ValidationException cause : causes) {
            collect(cause, lines);
        }
    }
}
