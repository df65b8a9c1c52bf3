package dev.eventbus.rabbitmq;

import dev.eventbus.rabbitmq.internal.connection.RabbitMqConnector;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A property test: for generated passwords (seeded, so a failure repeats) in URIs of every shape, valid or not, no
 * exception (message, causes, stack trace), no {@code toString}, no masked URI and no log line contains the password,
 * raw or decoded.
 */
class PasswordNeverShownTest {

    private static final long SEED = 20261201L;
    private static final int PASSWORDS = 150;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            + "/@#?,:%[]+ !$&'()*;=~.-_éü€😀";

    @Test
    void noErrorLogLineOrToStringEverShowsThePassword() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        int port = freePort;
        List<Function<String, String>> shapes = List.of(
                p -> "amqp://user:" + p + "@host:5672/vh",
                p -> "amqp://user:" + encode(p) + "@host:5672/vh",
                p -> "amqp://user:" + p + "@localhost:notaport/",
                p -> "amqp://user:" + p + "@host:5672:5673/",
                p -> "amqp://user:" + p + "@[::1/",
                p -> "amqp://user:" + p + "@h1,h2:bad/v",
                p -> "amqps://user:" + p + "@host/%zz",
                p -> "amqp://user:" + p + "%zz@host/",
                p -> "http://user:" + p + "@host/",
                p -> "user:" + p + "@host",
                p -> "amqp:/user:" + p + "@host",
                p -> "amqp://user:" + p + "@host/v?heartbeat=x",
                p -> "amqp://user:" + p + "@:5672/",
                p -> "amqp://user:" + p + "@host:0/",
                p -> "amqp://user:" + p + "@host,/",
                p -> "amqp://user:" + encode(p) + "@127.0.0.1:" + port + "/");
        Random random = new Random(SEED);
        PrintStream originalErr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < PASSWORDS; i++) {
                String password = password(random);
                for (Function<String, String> shape : shapes) {
                    String uri = shape.apply(password);
                    List<String> shown = new ArrayList<>();
                    shown.add(RabbitMqConnectionSettings.maskPassword(uri));
                    try {
                        RabbitMqConnectionSettings settings = RabbitMqConnectionSettings.fromUri(uri)
                                .withConnectionTimeout(Duration.ofMillis(500));
                        shown.add(settings.toString());
                        if (settings.describeAddresses().startsWith("127.0.0.1")) {
                            try {
                                new RabbitMqConnector(settings).open("leak-test").abort();
                                fail("nothing listens on " + settings.describeAddresses());
                            } catch (RuntimeException e) {
                                shown.add(everything(e));
                            }
                        }
                    } catch (RuntimeException e) {
                        shown.add(everything(e));
                    }
                    checked++;
                    for (String text : shown) {
                        if (leaks(text, password)) {
                            leaks.add("password '" + password + "' in URI " + uri + " shown as: " + text);
                        }
                    }
                }
                String log = logged.toString(StandardCharsets.UTF_8);
                if (leaks(log, password)) {
                    leaks.add("password '" + password + "' logged: " + log);
                }
                logged.reset();
            }
        } finally {
            System.setErr(originalErr);
        }
        assertTrue(checked == PASSWORDS * shapes.size(), "checked " + checked);
        assertTrue(leaks.isEmpty(), leaks.size() + " leaks, the first: " + leaks.subList(0, Math.min(3, leaks.size())));
    }

    @Test
    void theLeakCheckFindsAPasswordWhereOneIs() {
        // guards the property above against checking nothing: the detector must see a password shown as is or encoded
        assertTrue(leaks("amqp://u:s3cr/et@h", "s3cr/et"));
        assertTrue(leaks("amqp://u:s3cr%2Fet@h", "s3cr/et"));
    }

    /** Whether the text shows the password, raw or percent-encoded, or the raw text's decoded form. */
    private static boolean leaks(String text, String password) {
        return text.contains(password) || text.contains(encode(password))
                || text.contains(URLEncoder.encode(password, StandardCharsets.UTF_8));
    }

    /** 8 to 24 characters, with at least 4 letters or digits so that it cannot appear by chance in a message. */
    private static String password(Random random) {
        while (true) {
            int length = 8 + random.nextInt(17);
            StringBuilder password = new StringBuilder();
            int alphanumeric = 0;
            while (password.length() < length) {
                int index = random.nextInt(ALPHABET.codePointCount(0, ALPHABET.length()));
                int codePoint = ALPHABET.codePointAt(ALPHABET.offsetByCodePoints(0, index));
                password.appendCodePoint(codePoint);
                if (Character.isLetterOrDigit(codePoint) && codePoint < 128) {
                    alphanumeric++;
                }
            }
            if (alphanumeric >= 4) {
                return password.toString();
            }
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String everything(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return e + "\n" + text;
    }
}
