package dev.eventbus.examples;

import java.util.Arrays;

/**
 * Runs one example by name: {@code configure}, {@code consume}, {@code publish [count]} or {@code demo}.
 * From the repository root: {@code ./mvnw -q -pl examples -am compile exec:java -Dexample=configure}.
 */
public final class Main {

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
            case "pipeline-all", "pipeline-datagen", "pipeline-distributor", "pipeline-processor", "pipeline-statistics",
                 "pipeline-dead-letters", "eventstore", "eventstore-audit", "pipeline-clear" ->
                    dev.eventbus.examples.launch.ServiceLauncher.main(new String[] {example});
            default -> {
                System.err.println("unknown example '" + example + "': use configure, consume, publish or demo");
                System.exit(2);
            }
        }
    }
}
