package dev.eventbus.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's faults, against an echo server on the loopback interface (no broker needed). */
class FaultProxyTest {

    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoServerAndProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread copy = new Thread(() -> {
                        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException e) {
                            // the test closed it
                        }
                    });
                    copy.setDaemon(true);
                    copy.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        server.setDaemon(true);
        server.start();
        proxy = FaultProxy.to("127.0.0.1", echo.getLocalPort(), Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket client = connect()) {
            assertEquals("hello", roundTrip(client, "hello"));
            assertEquals(1, proxy.acceptedConnections());
        }
    }

    @Test
    void aStalledLinkDeliversNothingUntilResumed() throws IOException {
        try (Socket client = connect()) {
            assertEquals("before", roundTrip(client, "before"));
            proxy.stall();
            client.getOutputStream().write("during".getBytes(StandardCharsets.US_ASCII));
            client.setSoTimeout(500);
            assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(), "nothing passes a stalled link");
            proxy.resume();
            client.setSoTimeout(5_000);
            assertArrayEquals("during".getBytes(StandardCharsets.US_ASCII), client.getInputStream().readNBytes(6));
        }
    }

    @Test
    void aStalledLinkBlocksAWriterOnceTheBuffersAreFull() throws Exception {
        try (Socket client = connect()) {
            proxy.stall();
            byte[] chunk = new byte[64 * 1024];
            long[] written = {0};
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        client.getOutputStream().write(chunk);
                        written[0] += chunk.length;
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            Await.until("the writer to block", Duration.ofSeconds(10), () -> writer.getState() == Thread.State.RUNNABLE
                    && written[0] > 0 && sameAfter(written, 300), () -> written[0] + " bytes written");
            assertTrue(writer.isAlive(), "the writer is stuck in write, not finished");
        }
    }

    @Test
    void cuttingResetsOpenConnectionsAndAcceptsNewOnes() throws IOException {
        try (Socket client = connect()) {
            assertEquals("x", roundTrip(client, "x"));
            assertEquals(1, proxy.cutConnections());
            client.setSoTimeout(5_000);
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    client.getOutputStream().write(1);
                    if (client.getInputStream().read() < 0) {
                        throw new IOException("closed");
                    }
                }
            });
        }
        try (Socket again = connect()) {
            assertEquals("y", roundTrip(again, "y"));
        }
    }

    @Test
    void latencyDelaysEachDirection() throws IOException {
        proxy.latency(Duration.ofMillis(200));
        try (Socket client = connect()) {
            long start = System.nanoTime();
            assertEquals("slow", roundTrip(client, "slow"));
            long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(took >= 400, "a round trip through 200 ms each way took " + took + " ms");
        }
    }

    private static boolean sameAfter(long[] written, long millis) {
        long before = written[0];
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return written[0] == before;
    }

    private Socket connect() throws IOException {
        return new Socket("127.0.0.1", proxy.port());
    }

    private static String roundTrip(Socket client, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        client.getOutputStream().write(bytes);
        client.setSoTimeout(5_000);
        return new String(client.getInputStream().readNBytes(bytes.length), StandardCharsets.US_ASCII);
    }
}
