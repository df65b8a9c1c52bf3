package dev.eventbus.schema;

import dev.eventbus.core.EventBusException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A command that checks every pair of successive schema versions, for builds: exit code 0 when
 * compatible, 1 with the problems printed when not, 2 for a usage or configuration error.
 *
 * <pre>{@code
 * java -cp ... dev.eventbus.schema.CompatibilityCheck [--mode BACKWARD|FORWARD|FULL]
 *      [--dir <schema directory> | --classpath-root <resource root>]
 * }</pre>
 * Defaults: mode BACKWARD, the classpath root {@code eventbus/schemas}. From Maven, run it with the
 * exec-maven-plugin in the {@code verify} phase, e.g. with {@code --dir src/main/resources/eventbus/schemas}.
 */
public final class CompatibilityCheck {

    private CompatibilityCheck() {
    }

    /**
     * Runs the check and exits the JVM with its exit code (0 compatible, 1 incompatible, 2 usage error).
     *
     * @param args the options described on the class
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the check, printing to the given streams.
     *
     * @return 0 when compatible, 1 when incompatible, 2 for a usage or configuration error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CompatibilityMode mode = CompatibilityMode.BACKWARD;
        Path directory = null;
        String classpathRoot = SchemaLayout.DEFAULT_ROOT;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--mode" -> mode = CompatibilityMode.valueOf(value(args, ++i).toUpperCase(Locale.ROOT));
                    case "--dir" -> directory = Path.of(value(args, ++i));
                    case "--classpath-root" -> classpathRoot = value(args, ++i);
                    case "--help", "-h" -> {
                        out.println(usage());
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("compatibility check: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        try {
            SchemaRegistry registry = directory != null ? SchemaRegistry.fromDirectory(directory)
                    : SchemaRegistry.fromClasspath(CompatibilityCheck.class.getClassLoader(), classpathRoot);
            CompatibilityResult result = SchemaCompatibility.checkRegistry(registry, mode);
            if (result.compatible()) {
                out.println("schemas in " + registry.origin() + " (" + registry.list().size() + ") are " + mode + " compatible");
                return 0;
            }
            err.println("schemas in " + registry.origin() + " are " + result.describe());
            return 1;
        } catch (EventBusException e) {
            err.println("compatibility check: " + e.getMessage());
            return 2;
        }
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }

    private static String usage() {
        return "usage: CompatibilityCheck [--mode BACKWARD|FORWARD|FULL] [--dir <schema directory> | --classpath-root <resource root>]";
    }
}
