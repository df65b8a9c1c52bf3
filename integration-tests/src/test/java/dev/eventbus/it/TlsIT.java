package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.BrokerUnavailableException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.internal.connection.RabbitMqConnector;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS per bus, against a node of our own ({@link TlsBrokerNode}) whose certificate a test CA generated here signs:
 * trusted through the bus's own SSLContext or trust store (never the JVM's), refused when signed by another CA or
 * issued for another host name. Skipped, with the reason, where no local RabbitMQ installation can run that node.
 */
class TlsIT {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path directory;
    private static TlsBrokerNode node;
    private static Path caCertificate;
    private static Path otherCaCertificate;
    private static Path nodeDirectory;

    @BeforeAll
    static void startNode() throws Exception {
        Assumptions.assumeTrue(TlsBrokerNode.unavailableReason().isEmpty(), () -> "no TLS node: "
                + TlsBrokerNode.unavailableReason().orElse(""));
        Assumptions.assumeTrue(openssl(), "openssl is not installed");
        caCertificate = certificateAuthority("eventbus-test-ca");
        otherCaCertificate = certificateAuthority("eventbus-other-ca");
        Path serverKey = directory.resolve("server.key");
        Path request = directory.resolve("server.csr");
        Path serverCertificate = directory.resolve("server.pem");
        Path extensions = directory.resolve("server.ext");
        Files.writeString(extensions, "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", serverKey.toString(), "-out", request.toString(),
                "-subj", "/CN=localhost");
        openssl("x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(), "-CAkey",
                directory.resolve("eventbus-test-ca.key").toString(), "-CAcreateserial", "-out", serverCertificate.toString(),
                "-days", "2", "-extfile", extensions.toString());
        // not under the JUnit temporary directory: the node runs as user rabbitmq, who may not enter that one
        nodeDirectory = Files.createTempDirectory("eventbus-tls-node-");
        for (Path file : List.of(caCertificate, serverCertificate, serverKey)) {
            Files.copy(file, nodeDirectory.resolve(file.getFileName()));
        }
        node = TlsBrokerNode.start(nodeDirectory, nodeDirectory.resolve(caCertificate.getFileName()),
                nodeDirectory.resolve(serverCertificate.getFileName()), nodeDirectory.resolve(serverKey.getFileName()));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
        if (nodeDirectory != null) {
            try (var files = Files.walk(nodeDirectory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            } catch (java.io.IOException e) {
                // left in the temporary directory
            }
        }
    }

    @Test
    void aBusTrustingItsOwnCaPublishesAndConsumesOverTls() throws Exception {
        List<String> handled = new CopyOnWriteArrayList<>();
        RabbitMqEventBus bus = RabbitMqEventBus.builder().uri("amqps://guest:guest@localhost:" + TlsBrokerNode.AMQPS_PORT + "/")
                .tls(trusting(caCertificate)).organization("tlsit").service("tls")
                .subscribe(Subscription.of(UserCreated.class, "h", m -> handled.add(m.payload().userId()))).build();
        try {
            bus.admin().configure();
            bus.start();
            bus.publish(new UserCreated("u-tls", "over tls"));
            Await.until("the event published over TLS handled", Duration.ofSeconds(20), () -> handled.contains("u-tls"),
                    handled::toString);
        } finally {
            bus.stop();
        }
    }

    @Test
    void aTrustStoreFileWorksForOneConnectorWithoutTouchingTheJvmsTrust() throws Exception {
        Path store = directory.resolve("truststore.p12");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setCertificateEntry("ca", certificate(caCertificate));
        try (OutputStream out = Files.newOutputStream(store)) {
            keys.store(out, PASSWORD.toCharArray());
        }
        RabbitMqConnectionSettings settings = RabbitMqConnectionSettings.fromUri("amqps://guest:guest@localhost:"
                + TlsBrokerNode.AMQPS_PORT + "/").withTrustStore(store, PASSWORD.toCharArray());
        Connection connection = new RabbitMqConnector(settings).open("tls-it");
        try {
            assertTrue(connection.isOpen());
        } finally {
            connection.close();
        }
        // the JVM's default trust store does not know the test CA: the same URI without the trust store is refused
        BrokerUnavailableException untrusted = assertThrows(BrokerUnavailableException.class, () ->
                new RabbitMqConnector(RabbitMqConnectionSettings.fromUri("amqps://guest:guest@localhost:"
                        + TlsBrokerNode.AMQPS_PORT + "/")).open("tls-it"));
        assertTrue(causedByTls(untrusted), describe(untrusted));
    }

    @Test
    void aCertificateSignedByAnotherCaIsRefused() throws Exception {
        RabbitMqConnectionSettings settings = RabbitMqConnectionSettings.fromUri("amqps://guest:guest@localhost:"
                + TlsBrokerNode.AMQPS_PORT + "/").withTls(trusting(otherCaCertificate));
        BrokerUnavailableException refused = assertThrows(BrokerUnavailableException.class,
                () -> new RabbitMqConnector(settings).open("tls-it"));
        assertTrue(causedByTls(refused), describe(refused));
    }

    @Test
    void aCertificateForAnotherHostNameIsRefused() throws Exception {
        // the certificate names localhost only; 127.0.0.1 is the same node, but not the name the certificate vouches for
        RabbitMqConnectionSettings settings = RabbitMqConnectionSettings.fromUri("amqps://guest:guest@127.0.0.1:"
                + TlsBrokerNode.AMQPS_PORT + "/").withTls(trusting(caCertificate));
        BrokerUnavailableException refused = assertThrows(BrokerUnavailableException.class,
                () -> new RabbitMqConnector(settings).open("tls-it"));
        assertTrue(causedByTls(refused) && describe(refused).contains("127.0.0.1"), describe(refused));
    }

    private static boolean causedByTls(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            text.append(cause).append(" <- ");
        }
        return text.toString();
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setCertificateEntry("ca", certificate(caPem));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** A self-signed CA valid for two days: {@code <name>.pem} and {@code <name>.key} in the temporary directory. */
    private static Path certificateAuthority(String name) throws Exception {
        Path certificate = directory.resolve(name + ".pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.resolve(name + ".key").toString(),
                "-out", certificate.toString(), "-days", "2", "-subj", "/CN=" + name);
        return certificate;
    }

    private static boolean openssl() {
        try {
            TlsBrokerNode.run(List.of("openssl", "version"), Duration.ofSeconds(10));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static void openssl(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        TlsBrokerNode.run(command, Duration.ofSeconds(60));
    }
}
