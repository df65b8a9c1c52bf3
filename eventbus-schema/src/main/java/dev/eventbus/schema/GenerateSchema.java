package dev.eventbus.schema;

import dev.eventbus.core.EventBusException;
import dev.eventbus.core.MessageType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A command that writes the generated schema of an event class into the schema layout:
 * {@code <root>/<message name>/<version>.json}, with the name and version read from the class as the
 * bus reads them ({@link MessageType#of(Class)}).
 *
 * <pre>{@code
 * java -cp <app classes>:... dev.eventbus.schema.GenerateSchema com.acme.UserCreated [<root>] [--force]
 * }</pre>
 * The root defaults to {@code src/main/resources/eventbus/schemas}. An existing file is not overwritten
 * without {@code --force}: a schema, once published, is edited by hand or replaced by a new version.
 * Exit code 0 on success, 1 if the file exists, 2 for a usage error or a class that cannot be used.
 */
public final class GenerateSchema {

    /** The schema root used when none is given. */
    public static final String DEFAULT_ROOT = "src/main/resources/" + SchemaLayout.DEFAULT_ROOT;

    private GenerateSchema() {
    }

    /**
     * Writes the schema and exits the JVM with the exit code described on the class.
     *
     * @param args the class name, optionally the root directory and {@code --force}
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Writes the schema, printing to the given streams.
     *
     * @return 0 written, 1 the file exists (use --force), 2 usage error or unusable class
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean force = false;
        List<String> positional = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--force")) {
                force = true;
            } else if (arg.startsWith("--")) {
                err.println("generate schema: unknown option " + arg);
                err.println(usage());
                return 2;
            } else {
                positional.add(arg);
            }
        }
        if (positional.isEmpty() || positional.size() > 2) {
            err.println(usage());
            return 2;
        }
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> type = Class.forName(positional.get(0), false, loader != null ? loader : GenerateSchema.class.getClassLoader());
            MessageType<?> messageType = MessageType.of(type);
            Path root = Path.of(positional.size() == 2 ? positional.get(1) : DEFAULT_ROOT);
            Path file = root.resolve(new SchemaId(messageType.name(), messageType.version()).relativePath());
            if (Files.exists(file) && !force) {
                err.println("generate schema: " + file + " exists; edit it, add a new version with @MessageVersion, or pass --force to overwrite");
                return 1;
            }
            String schema = SchemaGenerator.generate(type);
            Files.createDirectories(file.getParent());
            Files.writeString(file, schema, StandardCharsets.UTF_8);
            out.println("wrote " + file + " for " + messageType.name() + " v" + messageType.version());
            return 0;
        } catch (ClassNotFoundException e) {
            err.println("generate schema: class " + positional.get(0) + " is not on the classpath; give the fully qualified name of an event class");
            return 2;
        } catch (EventBusException | IOException e) {
            err.println("generate schema: " + e.getMessage());
            return 2;
        }
    }

    private static String usage() {
        return "usage: GenerateSchema <event class> [<schema root, default " + DEFAULT_ROOT + ">] [--force]";
    }
}
