package dev.eventbus.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs the command line in this JVM with captured output. */
final class Cli {

    /**
     * What a run printed and returned.
     *
     * @param exitCode its exit code
     * @param out      what it printed on stdout
     * @param err      what it printed on stderr
     */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /** A run in progress, whose output can be read while it runs. */
    static final class Running {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = EventbusCli.commandLine();

        Running() {
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));
        }

        synchronized String err() {
            return err.toString();
        }
    }

    private Cli() {
    }

    /** Runs {@code eventbus <args>} and returns once it ended. */
    static Run run(String... args) {
        Running running = new Running();
        int code = running.commandLine.execute(args);
        return new Run(code, running.out.toString(), running.err.toString());
    }

    /** {@code --url <uri> --organization <org> --plan <class>} and the rest. */
    static String[] args(String command, String uri, String organization, Class<?> plan, String... rest) {
        List<String> args = new ArrayList<>(List.of(command, "--url", uri, "--organization", organization, "--plan", plan.getName()));
        args.addAll(List.of(rest));
        return args.toArray(String[]::new);
    }
}
