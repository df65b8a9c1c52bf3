package dev.eventbus.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.Event;
import dev.eventbus.core.MessageVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandsTest {

    @MessageVersion(2)
    public record InvoiceSent(String invoiceId, int amountCents) implements Event {
    }

    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void compatibilityCheckExitsZeroForCompatibleVersions() throws IOException {
        write("user.created/1.json", "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\"}}, \"required\": [\"id\"]}");
        write("user.created/2.json", "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\"}, \"name\": {\"type\": \"string\"}}, \"required\": [\"id\"]}");

        int exit = CompatibilityCheck.run(new String[] {"--mode", "full", "--dir", temp.toString()}, print(out), print(err));

        assertEquals(0, exit, () -> "expected exit 0, stderr: " + text(err));
        assertTrue(text(out).contains("are FULL compatible"), () -> "stdout: " + text(out));
    }

    @Test
    void compatibilityCheckExitsOneAndPrintsTheProblems() throws IOException {
        write("user.created/1.json", "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\"}}}");
        write("user.created/2.json", "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"integer\"}}}");

        int exit = CompatibilityCheck.run(new String[] {"--dir", temp.toString()}, print(out), print(err));

        assertEquals(1, exit, () -> "expected exit 1, stdout: " + text(out));
        assertTrue(text(err).contains("user.created v1 -> v2: #/properties/id: type changed"), () -> "stderr: " + text(err));
        assertTrue(text(err).contains("not BACKWARD compatible"), () -> "BACKWARD is the default mode, stderr: " + text(err));
    }

    @Test
    void compatibilityCheckExitsTwoForBadUsage() {
        assertEquals(2, CompatibilityCheck.run(new String[] {"--mode"}, print(out), print(err)));
        assertEquals(2, CompatibilityCheck.run(new String[] {"--dir", temp.resolve("missing").toString()}, print(out), print(err)));
        assertTrue(text(err).contains("does not exist"), () -> "stderr: " + text(err));
    }

    @Test
    void generateSchemaWritesIntoTheLayoutAndDoesNotOverwrite() throws IOException {
        String[] args = {InvoiceSent.class.getName(), temp.toString()};

        assertEquals(0, GenerateSchema.run(args, print(out), print(err)), () -> "stderr: " + text(err));
        Path file = temp.resolve("invoice.sent/2.json");
        assertTrue(Files.isRegularFile(file), () -> "expected " + file + ", stdout: " + text(out));
        assertTrue(Files.readString(file).contains("\"amount_cents\""), "snake_case property in the written schema");
        SchemaRegistry registry = SchemaRegistry.fromDirectory(temp);
        assertEquals(1, registry.list().size(), "the written file follows the layout");

        assertEquals(1, GenerateSchema.run(args, print(out), print(err)));
        assertTrue(text(err).contains("--force"), () -> "stderr: " + text(err));
        assertEquals(0, GenerateSchema.run(new String[] {InvoiceSent.class.getName(), temp.toString(), "--force"}, print(out), print(err)));
        assertEquals(2, GenerateSchema.run(new String[] {"com.example.Missing", temp.toString()}, print(out), print(err)));
    }

    private void write(String relative, String text) throws IOException {
        Path file = temp.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
