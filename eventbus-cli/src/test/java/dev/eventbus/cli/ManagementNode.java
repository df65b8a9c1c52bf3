package dev.eventbus.cli;

import dev.eventbus.testkit.LocalNode;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * A RabbitMQ node of the tests' own, with the management API that {@code diff} and {@code migrate --dry-run} read
 * (the machine's shared broker may run without it): started on first use, once per test JVM, on ports of its own
 * (AMQP 5743, distribution 25743, management 15743), and stopped with the JVM (LocalNode's shutdown hook deletes its
 * directory). Tests on it use random organizations, so they stay apart.
 */
final class ManagementNode {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static LocalNode node;

    private ManagementNode() {
    }

    /** The running node; starts it on first call. */
    static synchronized LocalNode get() {
        if (node == null) {
            node = LocalNode.builder().nodeName("eventbus-cli-it@localhost").amqpPort(5743).distributionPort(25743)
                    .managementPort(15743).build().start(Duration.ofSeconds(120));
        }
        return node;
    }

    /** A new organization, for one test. */
    static String organization() {
        byte[] random = new byte[5];
        RANDOM.nextBytes(random);
        return "m" + HexFormat.of().formatHex(random);
    }
}
