package dev.eventbus.examples;

import dev.eventbus.examples.launch.ServiceLauncher;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one example by name: {@code configure}, {@code consume}, {@code publish [count]}, {@code demo}, or one of the
 * example services ({@link #SERVICES}).
 * From the repository root: {@code ./mvnw -q -pl examples -am compile exec:java -Dexample=configure}.
 */
public final class Main {

    /** The example services, run by {@link dev.eventbus.examples.launch.ServiceLauncher}. */
    static final List<String> SERVICES = List.of("pipeline-all", "pipeline-datagen", "pipeline-distributor",
            "pipeline-processor", "pipeline-statistics", "pipeline-dead-letters", "eventstore", "eventstore-audit",
            "billing", "bookkeeping", "pipeline-clear");

    private Main() {
    }

    /** Runs the example named by the first argument. */
    public static void main(String[] args) throws Exception {
        String example = args.length == 0 ? "demo" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (example) {
            case "configure" -> Configure.main(rest);
            case "consume" -> Consume.main(rest);
            case "publish" -> Publish.main(rest);
            case "demo" -> Demo.main(rest);
            default -> {
                if (SERVICES.contains(example)) {
                    ServiceLauncher.main(new String[] {example});
                } else {
                    System.err.println("unknown example '" + example + "': use configure, consume, publish, demo, "
                            + String.join(", ", SERVICES));
                    System.exit(2);
                }
            }
        }
    }
}
