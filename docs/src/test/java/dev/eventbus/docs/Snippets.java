package dev.eventbus.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code blocks of a Markdown file and the source regions they are copies of.
 *
 * <p>In the Markdown, a block that is a copy says where from, on the line before its opening fence:
 * <pre>
 * &lt;!-- include: eventbus-testkit/src/test/java/dev/eventbus/testkit/DocsUnitTestExampleTest.java#unit-test --&gt;
 * ```java
 * ...
 * ```
 * </pre>
 * The path is relative to the repository's root; after {@code #} come one or more tags, separated by commas, whose
 * regions are shown one after the other with a blank line between; without {@code #} the whole file is shown. In the
 * source, a region is the lines between {@code tag::name[]} and {@code end::name[]}, each on a line of its own in any
 * comment ({@code // tag::bus[]}, {@code <!-- tag::bom[] -->}); lines with other tags' markers are left out, and the
 * region's common indentation is removed. Immutable; reads files when asked.
 */
final class Snippets {

    static final Pattern INCLUDE = Pattern.compile("^<!--\\s*include:\\s*(\\S+?)\\s*-->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^```\\s*([A-Za-z0-9_+-]*)\\s*$");
    private static final Pattern MARKER = Pattern.compile("(?:tag|end)::[A-Za-z0-9_.-]+\\[\\]");

    private Snippets() {
    }

    /**
     * One fenced code block of a Markdown file.
     *
     * @param markdown   the file
     * @param openLine   the index (0-based) of its opening fence
     * @param closeLine  the index of its closing fence
     * @param language   the fence's language ({@code java}, {@code xml}, ...; empty if none)
     * @param body       the lines between the fences
     * @param include    what the include line above it names ({@code path#tags}), or null when there is none
     * @param lead       the prose of the file before the block, without other blocks (for the imports rule)
     */
    record Block(Path markdown, int openLine, int closeLine, String language, List<String> body, String include, String lead) {

        Block {
            body = List.copyOf(body);
        }

        /** {@code README.md:18}, with the 1-based line of the opening fence. */
        String where(Path root) {
            return root.relativize(markdown) + ":" + (openLine + 1);
        }
    }

    /** The fenced code blocks of a Markdown file, in order. */
    static List<Block> blocks(Path markdown) {
        List<String> lines = read(markdown);
        List<Block> blocks = new ArrayList<>();
        StringBuilder prose = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                if (!INCLUDE.matcher(lines.get(i)).matches()) {
                    prose.append(lines.get(i)).append('\n');
                }
                continue;
            }
            int close = i + 1;
            while (close < lines.size() && !lines.get(close).equals("```")) {
                close++;
            }
            if (close == lines.size()) {
                throw new IllegalStateException(markdown + ":" + (i + 1) + ": code block without a closing ```");
            }
            String include = null;
            if (i > 0) {
                Matcher marker = INCLUDE.matcher(lines.get(i - 1));
                if (marker.matches()) {
                    include = marker.group(1);
                }
            }
            blocks.add(new Block(markdown, i, close, open.group(1), lines.subList(i + 1, close), include, prose.toString().strip()));
            i = close;
        }
        return blocks;
    }

    /**
     * The lines an include names: {@code path} (the whole file) or {@code path#tag[,tag...]} (those regions, a blank line
     * between two).
     *
     * @throws IllegalStateException if the file or a tag does not exist, naming it
     */
    static List<String> regions(Path root, String include) {
        int hash = include.indexOf('#');
        Path file = root.resolve(hash < 0 ? include : include.substring(0, hash)).normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("include names " + file + ", which does not exist");
        }
        List<String> lines = read(file);
        if (hash < 0) {
            return dedent(lines.stream().filter(line -> !MARKER.matcher(line).find()).toList());
        }
        List<String> result = new ArrayList<>();
        for (String tag : include.substring(hash + 1).split(",")) {
            if (!result.isEmpty()) {
                result.add("");
            }
            result.addAll(region(file, lines, tag.strip()));
        }
        return result;
    }

    private static List<String> region(Path file, List<String> lines, String tag) {
        String start = "tag::" + tag + "[]";
        String end = "end::" + tag + "[]";
        int from = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(start)) {
                if (from >= 0) {
                    throw new IllegalStateException(file + ":" + (i + 1) + ": " + start + " a second time");
                }
                from = i + 1;
            } else if (lines.get(i).contains(end)) {
                if (from < 0) {
                    throw new IllegalStateException(file + ":" + (i + 1) + ": " + end + " before " + start);
                }
                return dedent(lines.subList(from, i).stream().filter(line -> !MARKER.matcher(line).find()).toList());
            }
        }
        throw new IllegalStateException(file + " has no region " + tag + " (" + (from < 0 ? start : end) + " is missing)");
    }

    /** The lines without the indentation they all share (blank lines aside). */
    static List<String> dedent(List<String> lines) {
        int indent = lines.stream().filter(line -> !line.isBlank()).mapToInt(Snippets::indentation).min().orElse(0);
        return lines.stream().map(line -> line.isBlank() ? "" : line.substring(indent)).map(Snippets::stripTrailing).toList();
    }

    private static int indentation(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static String stripTrailing(String line) {
        return line.stripTrailing();
    }

    /**
     * The Markdown with every included block replaced by its regions as the sources have them now.
     *
     * @return the new text, equal to the file's when nothing changed
     */
    static String rewritten(Path root, Path markdown) {
        List<String> lines = new ArrayList<>(read(markdown));
        List<Block> blocks = blocks(markdown);
        for (int b = blocks.size() - 1; b >= 0; b--) {
            Block block = blocks.get(b);
            if (block.include() != null) {
                List<String> body = regions(root, block.include());
                lines.subList(block.openLine() + 1, block.closeLine()).clear();
                lines.addAll(block.openLine() + 1, body);
            }
        }
        return String.join("\n", lines) + "\n";
    }

    /** A line-by-line comparison: {@code -} lines of the doc, {@code +} lines of the source, a line of context around. */
    static String diff(List<String> doc, List<String> source) {
        int prefix = 0;
        while (prefix < doc.size() && prefix < source.size() && doc.get(prefix).equals(source.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < doc.size() - prefix && suffix < source.size() - prefix
                && doc.get(doc.size() - 1 - suffix).equals(source.get(source.size() - 1 - suffix))) {
            suffix++;
        }
        StringBuilder out = new StringBuilder();
        if (prefix > 0) {
            out.append("   ").append(doc.get(prefix - 1)).append('\n');
        }
        for (String line : doc.subList(prefix, doc.size() - suffix)) {
            out.append(" - ").append(line).append('\n');
        }
        for (String line : source.subList(prefix, source.size() - suffix)) {
            out.append(" + ").append(line).append('\n');
        }
        if (suffix > 0) {
            out.append("   ").append(doc.get(doc.size() - suffix)).append('\n');
        }
        return out.toString();
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(Objects.requireNonNull(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }
}
