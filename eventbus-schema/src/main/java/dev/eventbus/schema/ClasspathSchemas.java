package dev.eventbus.schema;

import dev.eventbus.core.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds the schema files under a classpath root, in every classpath entry that has that root.
 *
 * <p>Two sources are combined, so that schemas are found whatever packaging the application uses:
 * <ol>
 *   <li><b>Scanning.</b> {@link ClassLoader#getResources} returns one URL per classpath entry holding the
 *       root directory; {@code file:} URLs (classes directories, IDEs) are walked and {@code jar:} URLs
 *       are listed through their {@link JarFile}.</li>
 *   <li><b>An index.</b> Every {@code <root>/index.txt} resource lists schema paths relative to the root,
 *       one per line ({@code #} comments and blank lines ignored), each resolved against the index's own
 *       URL. It covers what scanning cannot: jars built without directory entries (their root directory
 *       has no URL), and class loaders whose URLs are neither {@code file:} nor {@code jar:}.</li>
 * </ol>
 * A root URL that cannot be scanned while no index exists is an error that says to add an index.
 * The same path found twice with the same bytes (a schema both scanned and indexed) counts once; with
 * different bytes it is an error, since which one wins would depend on classpath order.
 */
final class ClasspathSchemas {

    /** A schema file found on the classpath. */
    record Found(String relativePath, String location, byte[] bytes) {
    }

    private final String root;
    private final Map<String, Found> found = new LinkedHashMap<>();

    private ClasspathSchemas(String root) {
        this.root = root;
    }

    /**
     * Every schema file under {@code root}, in a stable order (by relative path).
     *
     * @throws ConfigurationException if the classpath cannot be read or holds conflicting schema files
     */
    static List<Found> find(ClassLoader loader, String root) {
        ClasspathSchemas scan = new ClasspathSchemas(root);
        try {
            List<URL> unlisted = new ArrayList<>();
            for (URL url : list(loader.getResources(root))) {
                if (!scan.scan(url)) {
                    unlisted.add(url);
                }
            }
            List<URL> indexes = list(loader.getResources(root + "/" + SchemaLayout.INDEX_FILE));
            for (URL index : indexes) {
                scan.readIndex(index);
            }
            if (!unlisted.isEmpty() && indexes.isEmpty()) {
                throw new ConfigurationException("cannot list the schema files at " + unlisted
                        + ": only file: and jar: classpath entries can be scanned; add " + root + "/" + SchemaLayout.INDEX_FILE
                        + " listing each schema path (e.g. user.created/1.json), one per line");
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ConfigurationException("cannot read the schemas under classpath root " + root + ": " + e.getMessage(), e);
        }
        List<Found> result = new ArrayList<>(scan.found.values());
        result.sort((a, b) -> a.relativePath().compareTo(b.relativePath()));
        return result;
    }

    private static <T> List<T> list(Enumeration<T> items) {
        return Collections.list(items);
    }

    /** Scans one root URL; false if its scheme cannot be listed. */
    private boolean scan(URL url) throws IOException {
        switch (url.getProtocol()) {
            case "file" -> scanDirectory(url);
            case "jar" -> {
                return scanJar(url);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void scanDirectory(URL url) throws IOException {
        Path directory;
        try {
            directory = Paths.get(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ConfigurationException("classpath URL " + url + " is not a usable directory: " + e.getMessage(), e);
        }
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String relative = directory.relativize(file).toString().replace('\\', '/');
                add(relative, file.toUri().toString(), Files.readAllBytes(file));
            }
        }
    }

    /** Lists a jar: URL; false if its handler does not give a {@link JarURLConnection} (left to the index). */
    private boolean scanJar(URL url) throws IOException {
        URLConnection connection = url.openConnection();
        if (!(connection instanceof JarURLConnection jarConnection)) {
            return false;
        }
        // No cache: a cached JarFile is shared JVM-wide and must not be closed; our own copy is closed here.
        jarConnection.setUseCaches(false);
        String prefix = jarConnection.getEntryName() + "/";
        try (JarFile jar = jarConnection.getJarFile()) {
            for (JarEntry entry : list(jar.entries()).stream()
                    .filter(e -> !e.isDirectory() && e.getName().startsWith(prefix))
                    .sorted((a, b) -> a.getName().compareTo(b.getName()))
                    .toList()) {
                try (InputStream in = jar.getInputStream(entry)) {
                    String relative = entry.getName().substring(prefix.length());
                    add(relative, "jar:" + jarConnection.getJarFileURL() + "!/" + entry.getName(), in.readAllBytes());
                }
            }
        }
        return true;
    }

    private void readIndex(URL index) throws IOException {
        String text;
        try (InputStream in = open(index)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String line : text.split("\\R")) {
            String path = line.strip();
            if (path.isEmpty() || path.startsWith("#")) {
                continue;
            }
            if (path.startsWith("/") || Arrays.asList(path.split("/")).contains("..")) {
                throw new ConfigurationException("schema index " + index + " lists '" + path
                        + "', which is not a path relative to the schema root: write it as <message name>/<version>.json");
            }
            URL schema = new URL(index, path);
            byte[] bytes;
            try (InputStream in = open(schema)) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new ConfigurationException("schema index " + index + " lists '" + path + "', but " + schema
                        + " cannot be read (" + e.getMessage() + "): add the file or remove the line", e);
            }
            add(path, schema.toString(), bytes);
        }
    }

    private static InputStream open(URL url) throws IOException {
        URLConnection connection = url.openConnection();
        connection.setUseCaches(false);
        return connection.getInputStream();
    }

    private void add(String relativePath, String location, byte[] bytes) {
        Found previous = found.get(relativePath);
        if (previous == null) {
            found.put(relativePath, new Found(relativePath, location, bytes));
        } else if (!Arrays.equals(previous.bytes(), bytes)) {
            throw new ConfigurationException("two different schema files for " + root + "/" + relativePath + ": "
                    + previous.location() + " and " + location
                    + "; the classpath must hold one schema per message name and version, remove one of them");
        }
    }
}
