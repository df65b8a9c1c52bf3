package dev.eventbus.docs;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The code in README.md and docs/*.md is compiled code: every {@code java} and {@code xml} block is a copy of a
 * region of a source file that the build compiles (or, for a pom, builds), named by an include line above it (see
 * {@link Snippets}), and equal to it. Blocks of other languages (shell commands, output, JSON, diagrams) may be
 * included too, and are then checked the same way.
 *
 * <p>When a source changed, rewrite the blocks from the sources with {@value #FIX}; with the property
 * {@value #UPDATE} set, this test writes the Markdown files instead of failing.
 */
class DocsSnippetsTest {

    static final String UPDATE = "eventbus.docs.update";
    static final String FIX = "./mvnw -q -pl docs test -Deventbus.docs.update=true";
    private static final Set<String> COMPILED = Set.of("java", "xml");

    private final Path root = Path.of(System.getProperty("eventbus.root", "..")).toAbsolutePath().normalize();

    private Stream<Path> markdown() throws IOException {
        List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(path -> path.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
        }
        assertTrue(files.size() > 1, "no docs/*.md under " + root);
        return files.stream();
    }

    private static void report(List<String> problems, String what) {
        if (!problems.isEmpty()) {
            fail(what + ":\n" + String.join("\n", problems));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyJavaAndXmlBlockIsIncludedFromASourceFile() throws IOException {
        return markdown().map(file -> DynamicTest.dynamicTest(root.relativize(file).toString(), () -> {
            List<String> problems = new ArrayList<>();
            for (Snippets.Block block : Snippets.blocks(file)) {
                if (COMPILED.contains(block.language()) && block.include() == null) {
                    problems.add(block.where(root) + ": a ```" + block.language() + " block with no include line above it; "
                            + "move the code into a compiled source file between // tag::name[] and // end::name[] "
                            + "and put <!-- include: path/to/File.java#name --> above the block");
                }
            }
            report(problems, "blocks that are not copies of compiled sources");
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyIncludedBlockEqualsItsSourceRegion() throws IOException {
        boolean update = Boolean.getBoolean(UPDATE);
        return markdown().map(file -> DynamicTest.dynamicTest(root.relativize(file).toString(), () -> {
            if (update) {
                String rewritten = Snippets.rewritten(root, file);
                if (!rewritten.equals(Files.readString(file, StandardCharsets.UTF_8))) {
                    Files.writeString(file, rewritten, StandardCharsets.UTF_8);
                    System.out.println("rewrote the included blocks of " + root.relativize(file));
                }
                return;
            }
            StringBuilder differences = new StringBuilder();
            for (Snippets.Block block : Snippets.blocks(file)) {
                if (block.include() == null) {
                    continue;
                }
                List<String> source = Snippets.regions(root, block.include());
                if (!source.equals(block.body())) {
                    differences.append("\n").append(block.where(root)).append(" differs from ").append(block.include())
                            .append(" (- doc, + source):\n").append(Snippets.diff(block.body(), source));
                }
            }
            if (differences.length() > 0) {
                fail("code blocks differ from the sources they are copies of:" + differences
                        + "\nIf the sources are right, rewrite the blocks from them: " + FIX);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> includesNameSourcesOfTheBuild() throws IOException {
        return markdown().map(file -> DynamicTest.dynamicTest(root.relativize(file).toString(), () -> {
            List<String> problems = new ArrayList<>();
            for (Snippets.Block block : Snippets.blocks(file)) {
                if (block.include() == null) {
                    continue;
                }
                String path = block.include().split("#", 2)[0];
                if (!(path.contains("/src/") || path.equals("pom.xml") || path.endsWith("/pom.xml"))) {
                    problems.add(block.where(root) + ": " + path + " is not in a module's src/ nor a pom.xml, so the build "
                            + "does not compile it");
                }
            }
            report(problems, "includes of files the build does not compile");
        }));
    }

    @TestFactory
    Stream<DynamicTest> javaBlocksShowTheirImportsOrTheTextNamesThePackages() throws IOException {
        return markdown().map(file -> DynamicTest.dynamicTest(root.relativize(file).toString(), () -> {
            List<String> problems = new ArrayList<>();
            for (Snippets.Block block : Snippets.blocks(file)) {
                boolean imports = block.body().stream().anyMatch(line -> line.startsWith("import "));
                if (block.language().equals("java") && !imports && !block.lead().contains("dev.eventbus.")) {
                    problems.add(block.where(root) + ": a ```java block with no import lines, and the text above it names no "
                            + "package: include the imports, or name the packages (`dev.eventbus.core`, ...) in the text");
                }
            }
            report(problems, "java blocks a reader cannot compile without reading sources");
        }));
    }
}
