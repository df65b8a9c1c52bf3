package dev.eventbus.testkit;

import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy between a test's clients and the broker that can misbehave as a bad network does, for this test's
 * connections only (the broker and every other client are untouched): it listens on {@code 127.0.0.1} on an ephemeral
 * port and forwards each accepted connection to the broker, byte for byte.
 *
 * <ul>
 *   <li>{@link #stall()}: stops forwarding and stops reading in both directions, sockets left open: a half-open link.
 *       Nothing reaches either side, heartbeats included, and a client's socket writes block once the (small)
 *       buffers are full. {@link #resume()} forwards again what was held back.</li>
 *   <li>{@link #latency(Duration)}: delays every chunk by that much in each direction.</li>
 *   <li>{@link #cutConnections()}: resets every connection open now (new ones are accepted as usual).</li>
 * </ul>
 *
 * <p>It also reads the AMQP frames clients send and counts the {@code basic.publish} of each message id
 * ({@link #publishesOf(String)}), so a test can see what went on the wire.
 *
 * <p>Thread-safe; its threads are daemons. Bounded: at most {@value #MAX_CONNECTIONS} connections at once, and it
 * closes itself after its lifetime (default {@link #DEFAULT_LIFETIME}) if the test forgot to; {@link #close()} (use
 * try-with-resources) closes the listening socket and every connection.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.to(broker)) {
 *     RabbitMqEventBus bus = broker.bus(b -> b.connection(proxy.settings(broker)));
 *     ...
 *     proxy.stall();            // half-open from now on
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {

    /** How long a proxy lives at most unless closed earlier. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
    static final int MAX_CONNECTIONS = 64;
    /** Small socket buffers, so that a stalled link blocks a client's writes after little data. */
    private static final int BUFFER_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);
    private static final AtomicInteger PROXIES = new AtomicInteger();

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final String name;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> publishes = new ConcurrentHashMap<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition flowing = lock.newCondition();
    private volatile boolean stalled;
    private volatile long latencyNanos;
    private volatile boolean closed;

    private FaultProxy(InetSocketAddress target, Duration lifetime) throws IOException {
        this.target = target;
        this.name = "eventbus-fault-proxy-" + PROXIES.incrementAndGet();
        this.listener = new ServerSocket();
        listener.setReceiveBufferSize(BUFFER_BYTES);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        daemon(name + "-accept", this::acceptLoop).start();
        daemon(name + "-lifetime", () -> {
            try {
                Thread.sleep(lifetime.toMillis());
                if (!closed) {
                    log.warn("{} closes itself after its lifetime of {}: close it in the test", name, lifetime);
                    close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).start();
    }

    /**
     * A proxy to the test broker's first address, living at most {@link #DEFAULT_LIFETIME}.
     *
     * @throws IllegalStateException if it cannot listen
     */
    public static FaultProxy to(TestBroker broker) {
        RabbitMqConnectionSettings.Address address = RabbitMqConnectionSettings.fromUri(broker.uri()).addresses().get(0);
        return to(address.host(), address.port(), DEFAULT_LIFETIME);
    }

    /**
     * A proxy to any host and port, living at most {@code lifetime}.
     *
     * @throws IllegalStateException if it cannot listen
     */
    public static FaultProxy to(String host, int port, Duration lifetime) {
        try {
            return new FaultProxy(new InetSocketAddress(host, port), Objects.requireNonNull(lifetime, "lifetime"));
        } catch (IOException e) {
            throw new IllegalStateException("the fault proxy cannot listen on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /** The port the proxy listens on, on {@code 127.0.0.1}. */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * The test broker's connection settings pointing at this proxy instead (credentials, vhost kept), with a 500 ms
     * recovery interval as {@link TestBroker#bus} uses.
     */
    public RabbitMqConnectionSettings settings(TestBroker broker) {
        RabbitMqConnectionSettings direct = RabbitMqConnectionSettings.fromUri(broker.uri());
        return new RabbitMqConnectionSettings(List.of(new RabbitMqConnectionSettings.Address("127.0.0.1", port())),
                direct.virtualHost(), direct.username(), direct.password(), false, direct.connectionName(),
                direct.connectionTimeout(), Duration.ofMillis(500), direct.heartbeat(), true, null,
                direct.maxInboundMessageBodySize());
    }

    /** Stops forwarding and reading in both directions, sockets left open: a half-open link until {@link #resume()}. */
    public void stall() {
        stalled = true;
        log.info("{} stalled: a half-open link for its {} connection(s)", name, links.size());
    }

    /** Forwards again, including what was held back while stalled. */
    public void resume() {
        unstall();
        log.info("{} resumed forwarding", name);
    }

    private void unstall() {
        lock.lock();
        try {
            stalled = false;
            flowing.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Delays each chunk of data by this much in each direction (zero for none). */
    public void latency(Duration latency) {
        this.latencyNanos = latency.toNanos();
    }

    /**
     * Resets every connection open now, as a cut network does (the client sees a reset, the broker a closed socket).
     * New connections are accepted as usual.
     *
     * @return how many connections were cut
     */
    public int cutConnections() {
        int cut = 0;
        for (Link link : links) {
            link.reset();
            cut++;
        }
        log.info("{} cut {} connection(s)", name, cut);
        return cut;
    }

    /** Connections open through the proxy now. */
    public int openConnections() {
        return links.size();
    }

    /** Connections accepted since the proxy started. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** How many {@code basic.publish} with this AMQP message id clients sent through the proxy (to the proxy, at least). */
    public int publishesOf(String messageId) {
        AtomicInteger count = publishes.get(messageId);
        return count == null ? 0 : count.get();
    }

    /** The number of {@code basic.publish} sent per message id, for a failure message. */
    public Map<String, Integer> publishesPerMessageId() {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        publishes.forEach((id, count) -> copy.put(id, count.get()));
        return copy;
    }

    /** Closes the listening socket and every connection. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unstall();
        try {
            listener.close();
        } catch (IOException e) {
            log.debug("closing {} failed", name, e);
        }
        for (Link link : links) {
            link.reset();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (links.size() >= MAX_CONNECTIONS) {
                    log.warn("{} refuses a connection: {} are open already", name, MAX_CONNECTIONS);
                    client.close();
                    continue;
                }
                accepted.incrementAndGet();
                Socket broker = new Socket();
                broker.setReceiveBufferSize(BUFFER_BYTES);
                broker.setSendBufferSize(BUFFER_BYTES);
                client.setSendBufferSize(BUFFER_BYTES);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                try {
                    broker.connect(target, 5_000);
                } catch (IOException e) {
                    log.warn("{} cannot reach {}: {}", name, target, e.toString());
                    client.close();
                    continue;
                }
                Link link = new Link(client, broker);
                links.add(link);
                link.start();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{} stops accepting: {}", name, e.toString());
                }
                return;
            }
        }
    }

    private void awaitFlowing() throws InterruptedException {
        if (!stalled) {
            return;
        }
        lock.lock();
        try {
            while (stalled && !closed) {
                flowing.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** A chunk of data due to be written at a time. */
    private record Chunk(byte[] bytes, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((Chunk) other).dueNanos);
        }
    }

    /** One client connection and its connection to the broker: a reader and a writer thread per direction. */
    private final class Link {
        private final Socket client;
        private final Socket broker;
        private final AtomicLong sequence = new AtomicLong();
        private final PublishCounter counter = new PublishCounter();
        private volatile boolean done;

        Link(Socket client, Socket broker) {
            this.client = client;
            this.broker = broker;
        }

        void start() throws IOException {
            pipe("up", client.getInputStream(), broker.getOutputStream(), true);
            pipe("down", broker.getInputStream(), client.getOutputStream(), false);
        }

        private void pipe(String direction, InputStream in, OutputStream out, boolean fromClient) {
            DelayQueue<Chunk> queue = new DelayQueue<>();
            String prefix = name + "-" + direction + "-" + sequence.incrementAndGet();
            daemon(prefix + "-read", () -> {
                byte[] buffer = new byte[16 * 1024];
                try {
                    while (!done) {
                        awaitFlowing();
                        int read = in.read(buffer);
                        if (read < 0) {
                            break;
                        }
                        byte[] chunk = java.util.Arrays.copyOf(buffer, read);
                        if (fromClient) {
                            counter.feed(chunk);
                        }
                        queue.put(new Chunk(chunk, System.nanoTime() + latencyNanos));
                    }
                } catch (IOException | InterruptedException e) {
                    // the link is going away
                }
                queue.put(new Chunk(null, System.nanoTime() + latencyNanos));
            }).start();
            daemon(prefix + "-write", () -> {
                try {
                    while (!done) {
                        Chunk chunk = queue.take();
                        awaitFlowing();
                        if (chunk.bytes() == null) {
                            break;
                        }
                        out.write(chunk.bytes());
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // the link is going away
                }
                close();
            }).start();
        }

        /** Closes both sockets with a reset. */
        void reset() {
            done = true;
            for (Socket socket : List.of(client, broker)) {
                try {
                    socket.setSoLinger(true, 0);
                } catch (SocketException e) {
                    // closed already
                }
            }
            close();
        }

        private void close() {
            done = true;
            links.remove(this);
            for (Socket socket : List.of(client, broker)) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closed already
                }
            }
        }
    }

    /**
     * Reads the AMQP 0-9-1 frames a client sends and counts, per message id, the content headers of
     * {@code basic.publish} (the only content a client sends). Called by one reader thread per link.
     */
    private final class PublishCounter {
        private static final int PROTOCOL_HEADER = 8;
        private static final int FRAME_HEADER = 7;
        private static final int CONTENT_HEADER = 2;
        private byte[] pending = new byte[0];
        private boolean headerSkipped;
        private boolean broken;

        /** Bytes of a method or body frame still to come, dropped as they arrive (only content headers are read). */
        private int toSkip;

        void feed(byte[] chunk) {
            if (broken) {
                return;
            }
            int offset = Math.min(toSkip, chunk.length);
            toSkip -= offset;
            if (offset == chunk.length) {
                return;
            }
            byte[] data = new byte[pending.length + chunk.length - offset];
            System.arraycopy(pending, 0, data, 0, pending.length);
            System.arraycopy(chunk, offset, data, pending.length, chunk.length - offset);
            int position = 0;
            if (!headerSkipped) {
                if (data.length < PROTOCOL_HEADER) {
                    pending = data;
                    return;
                }
                position = PROTOCOL_HEADER;
                headerSkipped = true;
            }
            while (data.length - position >= FRAME_HEADER) {
                int type = data[position] & 0xff;
                int size = readInt(data, position + 3);
                if (size < 0 || size > 64 * 1024 * 1024) {
                    broken = true;
                    return;
                }
                int frameEnd = position + FRAME_HEADER + size + 1;
                if (data.length < frameEnd) {
                    if (type != CONTENT_HEADER) {
                        toSkip = frameEnd - data.length;
                        position = data.length;
                    }
                    break;
                }
                if (type == CONTENT_HEADER) {
                    count(data, position + FRAME_HEADER);
                }
                position = frameEnd;
            }
            pending = java.util.Arrays.copyOfRange(data, position, data.length);
        }

        private void count(byte[] data, int payload) {
            // class id (2), weight (2), body size (8), property flags (2)
            int flags = ((data[payload + 12] & 0xff) << 8) | (data[payload + 13] & 0xff);
            int position = payload + 14;
            for (int bit = 15; bit >= 7; bit--) {
                if ((flags & (1 << bit)) == 0) {
                    continue;
                }
                if (bit == 13) {
                    position += 4 + readInt(data, position);
                } else if (bit == 12 || bit == 11) {
                    position += 1;
                } else {
                    int length = data[position] & 0xff;
                    if (bit == 7) {
                        String id = new String(data, position + 1, length, StandardCharsets.UTF_8);
                        publishes.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
                        return;
                    }
                    position += 1 + length;
                }
            }
        }

        private static int readInt(byte[] data, int at) {
            return ((data[at] & 0xff) << 24) | ((data[at + 1] & 0xff) << 16) | ((data[at + 2] & 0xff) << 8) | (data[at + 3] & 0xff);
        }
    }
}
