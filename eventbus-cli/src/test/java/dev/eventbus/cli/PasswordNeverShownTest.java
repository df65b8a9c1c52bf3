package dev.eventbus.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wrong URLs are reported without the password they carry (the broker tests cover unreachable brokers and refused
 * credentials: CliIT, DiffIT).
 */
class PasswordNeverShownTest {

    private static final String SECRET = "s3cret-pw";

    @Test
    void aMalformedAmqpUrlIsReportedWithoutItsPassword() {
        Cli.Run run = Cli.run("topology", "-o", "alice", "-s", "petisco", "--url", "amqp://guest:" + SECRET + "@host:notaport/");
        assertEquals(ExitCodes.CONFIGURATION, run.exitCode(), run.toString());
        assertTrue(run.err().contains("notaport"), "the error names what is wrong: " + run);
        assertFalse(run.toString().contains(SECRET), run.toString());
    }

    @Test
    void aManagementUrlWithCredentialsIsRefusedWithoutShowingThem() {
        Cli.Run run = Cli.run("diff", "-o", "alice", "-s", "petisco", "--management-url", "http://guest:" + SECRET + "@localhost:1");
        assertEquals(ExitCodes.CONFIGURATION, run.exitCode(), run.toString());
        assertTrue(run.err().contains("carries credentials: give them with --management-user/--management-password"), run.toString());
        assertFalse(run.toString().contains(SECRET), run.toString());
    }
}
