package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How a command speaks: readable text for people, or {@code --json} for scripts (one JSON document on stdout, nothing
 * else there), and whether long operations draw a progress bar. Results go to stdout, progress and errors to stderr.
 * Mixed into every command.
 */
final class Output {

    /** One mapper for every command's JSON: indented, fields in insertion order. */
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** When to draw a progress bar. */
    enum ProgressMode {
        /** A bar when stderr is a terminal, plain lines otherwise. */
        AUTO,
        /** Always a bar (redrawn in place with carriage returns). */
        BAR,
        /** Plain lines, one every second and one at the end. */
        LINES,
        /** Nothing. */
        NONE
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON document for scripts instead of text.")
    boolean json;

    @Option(names = "--progress", paramLabel = "<mode>",
            description = "Progress of long operations, on stderr: auto (a bar on a terminal, lines otherwise), bar, "
                    + "lines or none. Default: auto.")
    ProgressMode progress = ProgressMode.AUTO;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints text for people (nothing with {@code --json}). */
    void text(String text) {
        if (!json) {
            out().print(text.endsWith("\n") ? text : text + "\n");
            out().flush();
        }
    }

    /** Prints the JSON document (only with {@code --json}). */
    void json(JsonNode document) {
        if (json) {
            try {
                out().println(JSON.writeValueAsString(document));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            out().flush();
        }
    }

    /** A new JSON object for {@link #json(JsonNode)}. */
    ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** A note for people on stderr (what is about to happen, what was found), with {@code --json} too: stdout stays JSON. */
    void note(String text) {
        err().println(text);
        err().flush();
    }

    /**
     * A progress display for an operation on {@code total} items (0 when unknown).
     *
     * @param what what is counted, e.g. {@code "messages moved"}
     */
    Progress progress(String what, long total) {
        ProgressMode mode = progress;
        if (mode == ProgressMode.AUTO) {
            mode = System.console() != null ? ProgressMode.BAR : ProgressMode.LINES;
        }
        return new Progress(err(), what, total, mode, System::nanoTime);
    }
}
