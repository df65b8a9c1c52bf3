package dev.eventbus.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.ConfigurationException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryTest {

    private static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\"}}, \"required\": [\"id\"]}";
    private static final String OTHER_SCHEMA = "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"integer\"}}}";

    @TempDir
    Path temp;

    @Test
    void loadsTheClasspathLayout() {
        SchemaRegistry registry = SchemaRegistry.fromClasspath();

        assertEquals(List.of(new SchemaId("order.placed", 1), new SchemaId("user.created", 1), new SchemaId("user.created", 2)),
                registry.list(), "schemas found under eventbus/schemas (README.md ignored)");
        assertEquals(List.of(1, 2), registry.versions("user.created"));
        assertEquals(List.of(), registry.versions("user.deleted"));
        MessageSchema schema = registry.find("user.created", 2).orElseThrow();
        assertEquals("user.created", schema.name());
        assertEquals(2, schema.version());
        assertTrue(schema.location().endsWith("eventbus/schemas/user.created/2.json"), () -> "location " + schema.location());
        assertEquals(Optional.empty(), registry.find("user.created", 3));
        assertEquals(Optional.empty(), registry.find("Not A Name", 1));
    }

    @Test
    void loadsSchemasFromAJar() throws IOException {
        Path jar = jar("schemas.jar", true, Map.of("eventbus/schemas/user.created/1.json", SCHEMA,
                "eventbus/schemas/user.created/2.json", SCHEMA, "eventbus/schemas/order.placed/3.json", SCHEMA));

        try (URLClassLoader loader = isolated(jar)) {
            SchemaRegistry registry = SchemaRegistry.fromClasspath(loader, "eventbus/schemas");

            assertEquals(List.of(new SchemaId("order.placed", 3), new SchemaId("user.created", 1), new SchemaId("user.created", 2)),
                    registry.list());
            assertTrue(registry.find("order.placed", 3).orElseThrow().location().startsWith("jar:file:"),
                    () -> "location " + registry.find("order.placed", 3).orElseThrow().location());
        }
    }

    @Test
    void combinesJarsAndDirectoriesOnOneClasspath() throws IOException {
        Path jar = jar("a.jar", true, Map.of("eventbus/schemas/user.created/1.json", SCHEMA));
        Path directory = temp.resolve("classes");
        write(directory.resolve("eventbus/schemas/order.placed/1.json"), SCHEMA);

        try (URLClassLoader loader = isolated(jar, directory)) {
            SchemaRegistry registry = SchemaRegistry.fromClasspath(loader, "/eventbus/schemas/");

            assertEquals(List.of(new SchemaId("order.placed", 1), new SchemaId("user.created", 1)), registry.list());
        }
    }

    @Test
    void findsSchemasInAJarWithoutDirectoryEntriesThroughItsIndex() throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("eventbus/schemas/user.created/1.json", SCHEMA);
        entries.put("eventbus/schemas/index.txt", "# schemas of this jar\nuser.created/1.json\n\n");
        Path indexed = jar("indexed.jar", false, entries);
        Path unindexed = jar("unindexed.jar", false, Map.of("eventbus/schemas/order.placed/1.json", SCHEMA));

        try (URLClassLoader withIndex = isolated(indexed); URLClassLoader withoutIndex = isolated(unindexed)) {
            assertEquals(List.of(new SchemaId("user.created", 1)), SchemaRegistry.fromClasspath(withIndex, "eventbus/schemas").list());
            assertEquals(List.of(), SchemaRegistry.fromClasspath(withoutIndex, "eventbus/schemas").list(),
                    "a jar without directory entries cannot be scanned: that is what the index is for");
        }
    }

    @Test
    void aClasspathEntryThatCannotBeScannedNeedsAnIndex() throws IOException {
        URL unscannable = new URL(null, "vfs:/app/eventbus/schemas", new java.net.URLStreamHandler() {
            @Override
            protected java.net.URLConnection openConnection(URL url) throws IOException {
                throw new IOException("not readable in this test");
            }
        });
        ClassLoader loader = new ClassLoader(ClassLoader.getPlatformClassLoader()) {
            @Override
            public java.util.Enumeration<URL> getResources(String name) {
                return java.util.Collections.enumeration(name.equals("eventbus/schemas") ? List.of(unscannable) : List.of());
            }
        };

        ConfigurationException failure = assertThrows(ConfigurationException.class,
                () -> SchemaRegistry.fromClasspath(loader, "eventbus/schemas"));

        assertTrue(failure.getMessage().contains("vfs:/app/eventbus/schemas") && failure.getMessage().contains("add eventbus/schemas/index.txt"),
                failure::getMessage);
    }

    @Test
    void anIndexLineWithoutAFileIsAnError() throws IOException {
        Path jar = jar("broken-index.jar", true, Map.of("eventbus/schemas/index.txt", "user.created/1.json\n"));

        try (URLClassLoader loader = isolated(jar)) {
            ConfigurationException failure = assertThrows(ConfigurationException.class,
                    () -> SchemaRegistry.fromClasspath(loader, "eventbus/schemas"));

            assertTrue(failure.getMessage().contains("lists 'user.created/1.json'"), failure::getMessage);
        }
    }

    @Test
    void twoDifferentFilesForTheSameVersionAreAnError() throws IOException {
        Path first = jar("first.jar", true, Map.of("eventbus/schemas/user.created/1.json", SCHEMA));
        Path second = jar("second.jar", true, Map.of("eventbus/schemas/user.created/1.json", OTHER_SCHEMA));
        Path copy = jar("copy.jar", true, Map.of("eventbus/schemas/user.created/1.json", SCHEMA));

        try (URLClassLoader conflicting = isolated(first, second); URLClassLoader duplicated = isolated(first, copy)) {
            ConfigurationException failure = assertThrows(ConfigurationException.class,
                    () -> SchemaRegistry.fromClasspath(conflicting, "eventbus/schemas"));
            assertTrue(failure.getMessage().contains("first.jar") && failure.getMessage().contains("second.jar"),
                    () -> "expected both jars named, got " + failure.getMessage());
            assertEquals(1, SchemaRegistry.fromClasspath(duplicated, "eventbus/schemas").list().size(),
                    "the same bytes twice count once");
        }
    }

    @Test
    void loadsADirectory() throws IOException {
        write(temp.resolve("user.created/1.json"), SCHEMA);
        write(temp.resolve("user.created/2.json"), SCHEMA);
        write(temp.resolve("notes.txt"), "ignored");

        SchemaRegistry registry = SchemaRegistry.fromDirectory(temp);

        assertEquals(List.of(new SchemaId("user.created", 1), new SchemaId("user.created", 2)), registry.list());
        assertEquals(temp.toAbsolutePath().normalize().resolve("user.created/3.json").toString(),
                registry.expectedLocation("user.created", 3).substring("file ".length()));
    }

    @Test
    void aMissingDirectoryIsAnError() {
        ConfigurationException failure = assertThrows(ConfigurationException.class,
                () -> SchemaRegistry.fromDirectory(temp.resolve("nope")));

        assertTrue(failure.getMessage().contains("does not exist"), failure::getMessage);
    }

    @Test
    void aFileThatIsNotJsonIsNamedInTheError() throws IOException {
        Path file = temp.resolve("user.created/1.json");
        write(file, "{\"type\": \"object\",");

        assertFails("not valid JSON", file.toString());
    }

    @Test
    void aFileThatIsNotASchemaIsNamedInTheError() throws IOException {
        Path file = temp.resolve("user.created/1.json");
        write(file, "{\"type\": \"object\", \"properties\": {\"age\": {\"type\": \"integer\", \"minimum\": \"zero\"}}}");

        assertFails("is not a valid JSON Schema", file.toString());
    }

    @Test
    void aSchemaWhoseRootIsNotAnObjectIsRejected() throws IOException {
        write(temp.resolve("user.created/1.json"), "{\"type\": \"string\"}");

        assertFails("always a JSON object", "user.created/1.json");
    }

    @Test
    void aReferenceToAnotherDocumentIsRefusedWithoutNetworkAccess() throws IOException {
        write(temp.resolve("user.created/1.json"), "{\"type\": \"object\", \"properties\": {\"a\": {\"$ref\": \"http://example.com/a.json\"}}}");

        assertFails("loads schemas offline", "http://example.com/a.json");
    }

    @Test
    void aReferenceLoopIsRejectedWhenLoaded() throws IOException {
        write(temp.resolve("user.created/1.json"), "{\"type\": \"object\", \"definitions\": {\"a\": {\"$ref\": \"#/definitions/b\"},"
                + " \"b\": {\"$ref\": \"#/definitions/a\"}}, \"properties\": {\"x\": {\"$ref\": \"#/definitions/a\"}}}");

        assertFails("$ref loop", "user.created/1.json");
    }

    @Test
    void aMisnamedOrMisplacedFileIsAnError() throws IOException {
        write(temp.resolve("user.created/v1.json"), SCHEMA);
        assertFails("positive integer such as 1.json", "v1.json");

        Files.delete(temp.resolve("user.created/v1.json"));
        write(temp.resolve("user.created.json"), SCHEMA);
        assertFails("<message name>/<version>.json", "user.created.json");

        Files.delete(temp.resolve("user.created.json"));
        write(temp.resolve("User Created/1.json"), SCHEMA);
        assertFails("not a message name", "User Created");
    }

    @Test
    void schemasBuiltInCodeMustNotRepeatAVersion() {
        MessageSchema one = MessageSchema.parse(new SchemaId("user.created", 1), SCHEMA, "a");
        MessageSchema again = MessageSchema.parse(new SchemaId("user.created", 1), SCHEMA, "b");

        ConfigurationException failure = assertThrows(ConfigurationException.class, () -> SchemaRegistry.of(List.of(one, again)));

        assertTrue(failure.getMessage().contains("two schemas for user.created v1"), failure::getMessage);
    }

    private void assertFails(String problem, String named) {
        ConfigurationException failure = assertThrows(ConfigurationException.class, () -> SchemaRegistry.fromDirectory(temp));
        assertTrue(failure.getMessage().contains(problem), () -> "expected '" + problem + "' in: " + failure.getMessage());
        assertTrue(failure.getMessage().contains(named), () -> "expected '" + named + "' named in: " + failure.getMessage());
    }

    private Path jar(String name, boolean directoryEntries, Map<String, String> entries) throws IOException {
        Path jar = temp.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            java.util.Set<String> directories = new java.util.TreeSet<>();
            for (String entry : entries.keySet()) {
                for (int slash = entry.indexOf('/'); slash >= 0; slash = entry.indexOf('/', slash + 1)) {
                    directories.add(entry.substring(0, slash + 1));
                }
            }
            if (directoryEntries) {
                for (String directory : directories) {
                    out.putNextEntry(new JarEntry(directory));
                    out.closeEntry();
                }
            }
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** A class loader that sees only the given jars and directories (not the test classpath). */
    private static URLClassLoader isolated(Path... entries) throws IOException {
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            urls[i] = entries[i].toUri().toURL();
        }
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
