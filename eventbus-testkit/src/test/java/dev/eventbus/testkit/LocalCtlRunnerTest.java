package dev.eventbus.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which rabbitmqctl runs, and for which node, with a stand-in script that prints its arguments. */
class LocalCtlRunnerTest {

    @TempDir
    Path directory;

    private Path script(String name) throws IOException {
        Path script = directory.resolve(name);
        Files.writeString(script, "#!/bin/sh\nprintf '%s\\n' \"$*\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void managesTheNodeTheEnvironmentNames() throws IOException {
        Path ctl = script("rabbitmqctl");
        LocalCtlRunner runner = LocalCtlRunner.discover(Map.of(LocalCtlRunner.PATH_VARIABLE, ctl.toString(),
                LocalCtlRunner.NODE_VARIABLE, "eventbus-second@localhost")::get, name -> null);

        CtlRunner.Result result = runner.run(List.of("list_queues", "-p", "/"), Duration.ofSeconds(10));

        assertEquals("-n eventbus-second@localhost list_queues -p /", result.stdout().strip());
        assertEquals(ctl + " -n eventbus-second@localhost", runner.describe());
    }

    @Test
    void theSystemPropertyWinsAndOnNodeChangesOnlyTheNode() throws IOException {
        Path ctl = script("rabbitmqctl");
        LocalCtlRunner runner = LocalCtlRunner.discover(Map.of("PATH", directory.toString())::get,
                Map.of(LocalCtlRunner.NODE_PROPERTY, "first@localhost")::get);

        assertEquals("-n first@localhost status", runner.run(List.of("status"), Duration.ofSeconds(10)).stdout().strip());
        assertEquals("-n other@localhost status", runner.onNode("other@localhost").run(List.of("status"), Duration.ofSeconds(10))
                .stdout().strip());
        assertEquals(ctl + " -n first@localhost", runner.describe());
    }

    @Test
    void runsTheDefaultNodeWhenNoneIsNamed() throws IOException {
        script("rabbitmqctl");
        LocalCtlRunner runner = LocalCtlRunner.discover(Map.of("PATH", directory.toString())::get, name -> null);

        assertEquals("status", runner.run(List.of("status"), Duration.ofSeconds(10)).stdout().strip());
        assertTrue(LocalCtlRunner.findExecutable("rabbitmqctl", Map.of("PATH", directory.toString())::get).isPresent());
    }
}
