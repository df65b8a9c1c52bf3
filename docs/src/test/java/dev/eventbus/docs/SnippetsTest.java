package dev.eventbus.docs;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The include mechanism itself, on files of a temporary repository. */
class SnippetsTest {

    @TempDir
    Path root;

    private Path source;

    @BeforeEach
    void writeASource() throws IOException {
        source = root.resolve("m/src/test/java/Example.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, String.join("\n",
                "package x;",
                "",
                "// tag::imports[]",
                "import java.util.List;",
                "// end::imports[]",
                "",
                "class Example {",
                "    void run() {",
                "        // tag::run[]",
                "        List<String> names = List.of(\"a\");",
                "        // tag::inner[]",
                "        names.size();",
                "        // end::inner[]",
                "",
                "        names.isEmpty();   // trailing spaces go   ",
                "        // end::run[]",
                "    }",
                "}",
                ""), StandardCharsets.UTF_8);
    }

    @Test
    void aRegionIsTheLinesBetweenItsMarkersWithoutOtherMarkersAndCommonIndentation() {
        assertEquals(List.of("List<String> names = List.of(\"a\");", "names.size();", "", "names.isEmpty();   // trailing spaces go"),
                Snippets.regions(root, "m/src/test/java/Example.java#run"));
        assertEquals(List.of("names.size();"), Snippets.regions(root, "m/src/test/java/Example.java#inner"));
    }

    @Test
    void severalTagsAreShownInOrderWithABlankLineBetween() {
        assertEquals(List.of("import java.util.List;", "", "names.size();"),
                Snippets.regions(root, "m/src/test/java/Example.java#imports,inner"));
    }

    @Test
    void withoutATagTheWholeFileIsShownWithoutMarkers() {
        List<String> whole = Snippets.regions(root, "m/src/test/java/Example.java");

        assertEquals("package x;", whole.get(0));
        assertTrue(whole.stream().noneMatch(line -> line.contains("tag::") || line.contains("end::")), whole.toString());
    }

    @Test
    void aMissingFileOrTagIsNamed() {
        IllegalStateException noTag = assertThrows(IllegalStateException.class,
                () -> Snippets.regions(root, "m/src/test/java/Example.java#nope"));
        IllegalStateException noFile = assertThrows(IllegalStateException.class, () -> Snippets.regions(root, "m/Gone.java#run"));

        assertTrue(noTag.getMessage().contains("has no region nope"), noTag.getMessage());
        assertTrue(noFile.getMessage().contains("Gone.java, which does not exist"), noFile.getMessage());
    }

    @Test
    void findsBlocksTheirIncludesAndTheProseBeforeThem() throws IOException {
        Path markdown = root.resolve("doc.md");
        Files.writeString(markdown, String.join("\n",
                "# Title",
                "Types of `dev.eventbus.core`:",
                "<!-- include: m/src/test/java/Example.java#inner -->",
                "```java",
                "names.length();",
                "```",
                "",
                "```sh",
                "./mvnw verify",
                "```",
                ""), StandardCharsets.UTF_8);

        List<Snippets.Block> blocks = Snippets.blocks(markdown);

        assertEquals(2, blocks.size());
        assertEquals("m/src/test/java/Example.java#inner", blocks.get(0).include());
        assertEquals("java", blocks.get(0).language());
        assertEquals(List.of("names.length();"), blocks.get(0).body());
        assertEquals("# Title\nTypes of `dev.eventbus.core`:", blocks.get(0).lead());
        assertTrue(blocks.get(1).lead().endsWith("Types of `dev.eventbus.core`:"), "the prose before, without the blocks");
        assertEquals("doc.md:4", blocks.get(0).where(root));
        assertNull(blocks.get(1).include());
        assertEquals("sh", blocks.get(1).language());
    }

    @Test
    void rewritesIncludedBlocksFromTheSourcesAndLeavesTheRestAlone() throws IOException {
        Path markdown = root.resolve("doc.md");
        Files.writeString(markdown, String.join("\n",
                "Text.",
                "<!-- include: m/src/test/java/Example.java#imports,inner -->",
                "```java",
                "import java.util.Map;",
                "```",
                "```sh",
                "untouched",
                "```",
                ""), StandardCharsets.UTF_8);

        String rewritten = Snippets.rewritten(root, markdown);

        assertEquals(String.join("\n",
                "Text.",
                "<!-- include: m/src/test/java/Example.java#imports,inner -->",
                "```java",
                "import java.util.List;",
                "",
                "names.size();",
                "```",
                "```sh",
                "untouched",
                "```",
                ""), rewritten);
    }

    @Test
    void theDiffShowsWhatChangedWithALineOfContext() {
        String diff = Snippets.diff(List.of("a", "b", "c", "d"), List.of("a", "B", "c", "d"));

        assertEquals("   a\n - b\n + B\n   c\n", diff);
    }
}
