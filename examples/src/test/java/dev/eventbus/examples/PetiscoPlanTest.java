package dev.eventbus.examples;

import dev.eventbus.cli.EventbusCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example service is described for the command line by {@link PetiscoPlan}. */
class PetiscoPlanTest {

    @Test
    void theCommandLineShowsTheExampleServicesTopology() {
        CommandLine commandLine = EventbusCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute("topology", "--plan", PetiscoPlan.class.getName(), "--format", "json");
        assertEquals(0, exit, out + "\n" + err);
        assertTrue(out.toString().contains("\"alice.petisco.1.event.user_created.send_mail_handler\""), out.toString());
        assertTrue(out.toString().contains("\"x-message-ttl\" : 500"), "the example's 500 ms retry delay: " + out);
        assertTrue(out.toString().contains("\"name\" : \"store\""), "the example's store subscription: " + out);
    }
}
