package dev.eventbus.rabbitmq.internal.publishing;

import dev.eventbus.rabbitmq.PublishException;
import dev.eventbus.rabbitmq.PublishNotConfirmedException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The publisher's edges against a fake client (no broker): what it does when the client's calls block, fail or
 * report a connection loss in the order the real client does. Broker tests prove the semantics; these pin the
 * timing and counting a broker cannot stage on demand.
 */
class ConfirmingPublisherTest {

    @Test
    void aBlockingPublishReturnsAtItsDeadlineWhenTheSocketWriteBlocks() throws Exception {
        FakeClient client = new FakeClient();
        client.writesBlock = new CountDownLatch(1);
        ConfirmingPublisher publisher = new ConfirmingPublisher(client.connection, 100, 2, Duration.ofMillis(300));
        try {
            CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> timed(() -> publish(publisher, "m-1")));
            CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> timed(() -> publish(publisher, "m-2")));
            CompletableFuture<Long> third = CompletableFuture.supplyAsync(() -> timed(() -> publish(publisher, "m-3")));
            for (CompletableFuture<Long> call : List.of(first, second, third)) {
                long took = call.get(5, TimeUnit.SECONDS);
                assertTrue(took < 1_000, "a publish with a 300 ms timeout took " + took + " ms while the write blocked");
            }
        } finally {
            client.writesBlock.countDown();
            publisher.close();
        }
    }

    @Test
    void aTimedOutPublishSaysWhetherItWasStillBeingWrittenOrNeverSent() {
        FakeClient client = new FakeClient();
        client.writesBlock = new CountDownLatch(1);
        ConfirmingPublisher publisher = new ConfirmingPublisher(client.connection, 100, 1, Duration.ofMillis(300));
        try {
            CompletableFuture<Void> stuck = CompletableFuture.runAsync(() -> publish(publisher, "m-1"));
            client.awaitWritesStarted(1); // m-1 holds the one writer before m-2 queues behind it
            PublishNotConfirmedException queued = assertThrows(PublishNotConfirmedException.class, () -> publish(publisher, "m-2"));
            assertTrue(queued.getMessage().contains("never sent"), queued.getMessage());
            ExecutionException writing = assertThrows(ExecutionException.class, () -> stuck.get(5, TimeUnit.SECONDS));
            assertTrue(writing.getCause().getMessage().contains("still being written"), writing.getCause().getMessage());
            client.writesBlock.countDown();
            assertEquals(0, client.publishes("m-2"), "a message whose caller gave up while it was queued is not sent");
        } finally {
            client.writesBlock.countDown();
            publisher.close();
        }
    }

    @Test
    void aTimeoutOrNoFreeSlotIsNotAConnectionLoss() {
        FakeClient client = new FakeClient();
        client.writesBlock = new CountDownLatch(1);
        ConfirmingPublisher timingOut = new ConfirmingPublisher(client.connection, 100, 1, Duration.ofMillis(300));
        ConfirmingPublisher oneSlot = new ConfirmingPublisher(client.connection, 1, 1, Duration.ofMillis(300));
        try {
            CompletableFuture<Void> stuck = CompletableFuture.runAsync(() -> publish(timingOut, "m-1"));
            ExecutionException timedOut = assertThrows(ExecutionException.class, () -> stuck.get(5, TimeUnit.SECONDS));
            assertTrue(timedOut.getCause() instanceof PublishNotConfirmedException notConfirmed && !notConfirmed.connectionLost(),
                    "a confirm timeout is not a lost connection: " + timedOut.getCause());
            CompletableFuture<Void> holding = oneSlot.publishAsync("x", "k", false, properties("m-2"), new byte[1], "m-2");
            PublishNotConfirmedException noSlot = assertThrows(PublishNotConfirmedException.class, () -> publish(oneSlot, "m-3"));
            assertTrue(noSlot.getMessage().contains("no confirm slot"), noSlot.getMessage());
            assertFalse(noSlot.connectionLost(), "too many messages in flight is not a lost connection");
            assertFalse(holding.isDone() && !holding.isCompletedExceptionally(), "the first message was never confirmed");
        } finally {
            client.writesBlock.countDown();
            timingOut.close();
            oneSlot.close();
        }
    }

    @Test
    void anAsyncPublishFailsAtItsDeadlineWhenTheWriteBlocks() {
        FakeClient client = new FakeClient();
        client.writesBlock = new CountDownLatch(1);
        ConfirmingPublisher publisher = new ConfirmingPublisher(client.connection, 100, 1, Duration.ofMillis(300));
        try {
            long start = System.nanoTime();
            CompletableFuture<Void> confirm = publisher.publishAsync("x", "k", false, properties("m-1"), new byte[1], "m-1");
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 200, "publishAsync returns without writing");
            ExecutionException failure = assertThrows(ExecutionException.class, () -> confirm.get(5, TimeUnit.SECONDS));
            assertTrue(failure.getCause() instanceof PublishNotConfirmedException, String.valueOf(failure.getCause()));
        } finally {
            client.writesBlock.countDown();
            publisher.close();
        }
    }

    @Test
    void aMessageLostWithItsConnectionIsPublishedAgainOncePerRecoveryNotInALoop() throws Exception {
        FakeClient client = new FakeClient();
        ConfirmingPublisher publisher = new ConfirmingPublisher(client.connection, 100, 2, Duration.ofSeconds(10));
        try {
            CompletableFuture<Void> call = CompletableFuture.runAsync(() -> publish(publisher, "m-1"));
            client.awaitPublishes("m-1", 1);
            // as the client does: the channels learn of the loss first, the connection's listeners after
            client.loseConnection();
            Thread.sleep(300);
            client.connectionListenersLearnOfTheLoss();
            Thread.sleep(300);
            client.recover();
            client.awaitPublishes("m-1", 2);
            client.ackAll();
            call.get(5, TimeUnit.SECONDS);
            assertEquals(2, client.publishes("m-1"), "published once, then once after the one recovery; attempts: "
                    + client.attempts("m-1"));
            assertTrue(client.attempts("m-1") <= 3, "tried " + client.attempts("m-1") + " times while the connection was down");
        } finally {
            publisher.close();
        }
    }

    @Test
    void afterAPublishFailedHavingTakenASequenceNumberLaterConfirmsLandOnTheRightMessages() throws Exception {
        FakeClient client = new FakeClient();
        ConfirmingPublisher publisher = new ConfirmingPublisher(client.connection, 100, 1, Duration.ofSeconds(2));
        try {
            client.refuse = "too-big";
            PublishNotConfirmedException refused = assertThrows(PublishNotConfirmedException.class,
                    () -> publish(publisher, "too-big"));
            assertTrue(refused.getMessage().contains("do not fit in one frame"), refused.getMessage());
            for (int i = 0; i < 10; i++) {
                String id = "after-" + i;
                CompletableFuture<Void> call = CompletableFuture.runAsync(() -> publish(publisher, id));
                client.awaitPublishes(id, 1);
                client.ackAll();
                call.get(3, TimeUnit.SECONDS);
            }
        } finally {
            publisher.close();
        }
    }

    private static void publish(ConfirmingPublisher publisher, String id) {
        publisher.publish("x", "k", false, properties(id), new byte[1], id);
    }

    private static AMQP.BasicProperties properties(String id) {
        return new AMQP.BasicProperties.Builder().messageId(id).build();
    }

    private static long timed(Runnable call) {
        long start = System.nanoTime();
        try {
            call.run();
        } catch (PublishException e) {
            // expected: not confirmed in time
        }
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    /**
     * A fake connection and its channels, made of dynamic proxies: sequence numbers taken before sending as the real
     * client does, a "broker" that numbers the messages it received and acks them when told, and a connection loss
     * reported to channels before the connection's own listeners.
     */
    static final class FakeClient {
        final List<ShutdownListener> connectionListeners = new CopyOnWriteArrayList<>();
        final List<RecoveryListener> recoveryListeners = new CopyOnWriteArrayList<>();
        final List<FakeChannel> channels = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> tried = new ConcurrentHashMap<>();
        final Connection connection;
        volatile boolean open = true;
        volatile CountDownLatch writesBlock;
        volatile String refuse;

        FakeClient() {
            connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Connection.class, Recoverable.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "getClientProvidedName" -> "fake";
                        case "isOpen" -> open;
                        case "addShutdownListener" -> connectionListeners.add((ShutdownListener) args[0]);
                        case "addRecoveryListener" -> recoveryListeners.add((RecoveryListener) args[0]);
                        case "createChannel" -> newChannel();
                        case "getFrameMax" -> 131_072;
                        default -> defaultValue(method);
                    });
        }

        private Channel newChannel() {
            FakeChannel channel = new FakeChannel(channels.size() + 1);
            channels.add(channel);
            return channel.proxy;
        }

        int publishes(String id) {
            AtomicInteger count = sent.get(id);
            return count == null ? 0 : count.get();
        }

        int attempts(String id) {
            AtomicInteger count = tried.get(id);
            return count == null ? 0 : count.get();
        }

        /** Waits until {@code count} writes have started (taken their sequence number), blocked or not. */
        void awaitWritesStarted(int count) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (channels.stream().mapToLong(FakeChannel::sequencesTaken).sum() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("expected " + count + " writes started");
                }
                Thread.onSpinWait();
            }
        }

        void awaitPublishes(String id, int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (publishes(id) < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("expected " + count + " publishes of " + id + "; observed " + publishes(id));
                }
                Thread.sleep(5);
            }
        }

        void ackAll() {
            for (FakeChannel channel : channels) {
                channel.ackAll();
            }
        }

        void loseConnection() {
            open = false;
            ShutdownSignalException cause = new ShutdownSignalException(true, false, null, connection);
            for (FakeChannel channel : channels) {
                channel.lose(cause);
            }
        }

        void connectionListenersLearnOfTheLoss() {
            ShutdownSignalException cause = new ShutdownSignalException(true, false, null, connection);
            connectionListeners.forEach(listener -> listener.shutdownCompleted(cause));
        }

        void recover() {
            for (FakeChannel channel : channels) {
                channel.recover();
            }
            open = true;
            recoveryListeners.forEach(listener -> listener.handleRecovery((Recoverable) connection));
        }

        static Object defaultValue(Method method) {
            Class<?> type = method.getReturnType();
            if (type == boolean.class) {
                return false;
            }
            if (type == int.class || type == long.class || type == short.class) {
                return type == long.class ? 0L : type == int.class ? (Object) 0 : (short) 0;
            }
            return null;
        }

        final class FakeChannel implements InvocationHandler {
            final Channel proxy;
            final int number;
            final List<ConfirmListener> confirmListeners = new CopyOnWriteArrayList<>();
            final List<ShutdownListener> shutdownListeners = new CopyOnWriteArrayList<>();
            volatile boolean channelOpen = true;
            long nextSequence = 1;
            long received;
            long acked;

            FakeChannel(int number) {
                this.number = number;
                this.proxy = (Channel) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Channel.class}, this);
            }

            @Override
            public Object invoke(Object self, Method method, Object[] args) throws Throwable {
                return switch (method.getName()) {
                    case "addConfirmListener" -> {
                        confirmListeners.add((ConfirmListener) args[0]);
                        yield null;
                    }
                    case "addShutdownListener" -> {
                        shutdownListeners.add((ShutdownListener) args[0]);
                        yield null;
                    }
                    case "getNextPublishSeqNo" -> nextSequence;
                    case "isOpen" -> channelOpen;
                    case "getChannelNumber" -> number;
                    case "getConnection" -> connection;
                    case "close" -> {
                        channelOpen = false;
                        yield null;
                    }
                    case "basicPublish" -> publish((AMQP.BasicProperties) args[args.length - 2]);
                    default -> defaultValue(method);
                };
            }

            private Object publish(AMQP.BasicProperties properties) throws InterruptedException {
                String id = properties.getMessageId();
                tried.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
                if (!channelOpen) {
                    throw new AlreadyClosedException(new ShutdownSignalException(true, false, null, connection));
                }
                synchronized (this) {
                    nextSequence++; // taken before sending, as ChannelN does
                }
                if (id.equals(refuse)) {
                    throw new IllegalArgumentException("Content headers exceeded max frame size: 140000 > 131072");
                }
                CountDownLatch block = writesBlock;
                if (block != null) {
                    block.await();
                }
                synchronized (this) {
                    received++;
                }
                sent.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
                return null;
            }

            synchronized long sequencesTaken() {
                return nextSequence - 1;
            }

            void ackAll() {
                long upTo;
                synchronized (this) {
                    if (received == acked) {
                        return;
                    }
                    upTo = received;
                    acked = received;
                }
                for (ConfirmListener listener : confirmListeners) {
                    try {
                        listener.handleAck(upTo, true);
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                }
            }

            void lose(ShutdownSignalException cause) {
                channelOpen = false;
                shutdownListeners.forEach(listener -> listener.shutdownCompleted(cause));
            }

            synchronized void recover() {
                channelOpen = true;
                nextSequence = 1;
                received = 0;
                acked = 0;
            }
        }
    }
}
