package dev.eventbus.benchmarks;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageListener;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * The Spring AMQP side of the end-to-end and latency benchmarks, in its fast configuration and the same shape as the
 * raw side: a {@link RabbitTemplate} with simple publisher confirms publishing every message on one dedicated channel
 * ({@code invoke}, not a channel per send) with {@value EndToEnd#IN_FLIGHT} confirms in flight (a semaphore released by
 * the ack callback), {@code mandatory}, on the template's publisher connection; a {@link SimpleMessageListenerContainer}
 * with one consumer, prefetch {@value EndToEnd#PREFETCH} and {@code AUTO} acknowledgement (an ack per message after the
 * listener returns). Bodies are encoded and decoded with the raw side's {@link RawCodec}: the same bytes, the same JSON
 * cost.
 */
final class SpringAmqp {

    private final Broker broker;

    SpringAmqp(Broker broker) {
        this.broker = broker;
    }

    /** One run of {@code count} messages, message {@code i} not before {@code i * intervalNanos} (0: flat out). */
    Run run(int count, long intervalNanos, Recorder recorder) throws Exception {
        String scope = Broker.unique("spring");
        String exchange = scope;
        String queue = scope + ".queue";
        String routingKey = "bench." + scope + ".1.event.order.placed";
        RawCodec codec = new RawCodec(dev.eventbus.core.MessageValidator.NONE);
        try (Connection admin = broker.connect(scope + ".admin"); Channel channel = admin.createChannel()) {
            channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueBind(queue, exchange, routingKey);
        }
        // Spring recovers connections itself and advises against the client's automatic recovery underneath
        com.rabbitmq.client.ConnectionFactory factory = broker.factory().clone();
        factory.setAutomaticRecoveryEnabled(false);
        CachingConnectionFactory connections = new CachingConnectionFactory(factory);
        connections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
        connections.setPublisherReturns(true);
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connections);
        try {
            container.setQueueNames(queue);
            container.setConcurrentConsumers(1);
            container.setPrefetchCount(EndToEnd.PREFETCH);
            container.setAcknowledgeMode(AcknowledgeMode.AUTO);
            container.setMessageListener((MessageListener) message -> {
                OrderPlaced event = codec.decode(message.getBody());
                recorder.record(System.nanoTime() - event.sentAtNanos());
            });
            container.afterPropertiesSet();
            container.start();

            RabbitTemplate template = new RabbitTemplate(connections);
            template.setUsePublisherConnection(true);
            template.setMandatory(true);
            AtomicInteger failures = new AtomicInteger();
            template.setReturnsCallback(returned -> failures.incrementAndGet());
            Semaphore slots = new Semaphore(EndToEnd.IN_FLIGHT);
            CountDownLatch confirmed = new CountDownLatch(count);
            AtomicLong lastConfirm = new AtomicLong();
            ConcurrentNavigableMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
            com.rabbitmq.client.ConfirmCallback acks = (tag, multiple) -> settle(outstanding, tag, multiple, slots, confirmed,
                    lastConfirm, null);
            com.rabbitmq.client.ConfirmCallback nacks = (tag, multiple) -> settle(outstanding, tag, multiple, slots, confirmed,
                    lastConfirm, failures);
            long cpu = Run.processCpuNanos();
            long start = System.nanoTime();
            template.invoke(operations -> {
                for (int sequence = 0; sequence < count; sequence++) {
                    EndToEnd.pace(start, sequence, intervalNanos);
                    try {
                        slots.acquire();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    RawCodec.Envelope envelope = RawCodec.envelope(OrderPlaced.next(sequence));
                    MessageProperties properties = new MessageProperties();
                    properties.setContentType("application/json");
                    properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
                    properties.setMessageId(envelope.data().id());
                    properties.setTimestamp(new Date());
                    properties.setType("order.placed");
                    properties.setAppId(scope);
                    outstanding.put(operations.execute(Channel::getNextPublishSeqNo), Boolean.TRUE);
                    operations.send(exchange, routingKey, new org.springframework.amqp.core.Message(codec.encode(envelope), properties));
                }
                // the callbacks belong to this channel: wait for the last confirms before giving it back
                try {
                    if (!confirmed.await(EndToEnd.timeoutMillis(count), TimeUnit.MILLISECONDS)) {
                        throw new IllegalStateException("spring publishing: " + confirmed.getCount() + " of " + count + " unconfirmed");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return null;
            }, acks, nacks);
            if (failures.get() > 0) {
                throw new IllegalStateException("spring publishing: " + failures.get() + " messages nacked or returned");
            }
            recorder.await(EndToEnd.timeoutMillis(count), "spring");
            return new Run(count / EndToEnd.seconds(start, recorder.lastNanos()), count / EndToEnd.seconds(start, lastConfirm.get()),
                    recorder.percentileMillis(50), recorder.percentileMillis(95), recorder.percentileMillis(99),
                    Run.cpuPerMessage(cpu, count));
        } finally {
            container.stop();
            container.destroy();
            connections.destroy();
            broker.delete(List.of(queue), List.of(exchange));
        }
    }

    /**
     * The Spring side of the I/O-handler benchmark: a backlog of {@code count} messages published first (raw client,
     * confirmed), then drained by a {@link SimpleMessageListenerContainer} with {@code consumers} concurrent consumers
     * (a channel each, prefetch {@value EndToEnd#PREFETCH} each, {@code AUTO} acks) whose listener decodes the body and sleeps
     * {@code workMillis}.
     * The rate is messages handled per second from the end of the first to the end of the last, as the library's.
     */
    HandlerScaling.Figures drain(int consumers, int count, long workMillis) throws Exception {
        String scope = Broker.unique("spring-io");
        String queue = scope + ".queue";
        try (Connection admin = broker.connect(scope + ".admin"); Channel channel = admin.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            channel.confirmSelect();
            RawCodec codec = new RawCodec(dev.eventbus.core.MessageValidator.NONE);
            for (int i = 0; i < count; i++) {
                RawCodec.Envelope envelope = RawCodec.envelope(OrderPlaced.next(i));
                channel.basicPublish("", queue, true, Broker.properties(envelope.data().id(), scope), codec.encode(envelope));
            }
            channel.waitForConfirmsOrDie(60_000);
        }
        com.rabbitmq.client.ConnectionFactory factory = broker.factory().clone();
        factory.setAutomaticRecoveryEnabled(false);
        CachingConnectionFactory connections = new CachingConnectionFactory(factory);
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connections);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicLong first = new AtomicLong();
        CountDownLatch drained = new CountDownLatch(count);
        RawCodec decoder = new RawCodec(dev.eventbus.core.MessageValidator.NONE);
        try {
            container.setQueueNames(queue);
            container.setConcurrentConsumers(consumers);
            container.setPrefetchCount(EndToEnd.PREFETCH);
            container.setAcknowledgeMode(AcknowledgeMode.AUTO);
            container.setMessageListener((MessageListener) message -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    decoder.decode(message.getBody()); // as the library's handler gets its payload decoded
                    Thread.sleep(workMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    running.decrementAndGet();
                    first.compareAndSet(0, System.nanoTime()); // as the library's side: from the first message's end
                    drained.countDown();
                }
            });
            container.afterPropertiesSet();
            container.start();
            if (!drained.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("spring: backlog not drained: " + drained.getCount() + " left");
            }
            double seconds = (System.nanoTime() - first.get()) / 1e9;
            return new HandlerScaling.Figures((count - 1) / seconds, consumers * 1000.0 / workMillis, most.get(), 0);
        } finally {
            container.stop();
            container.destroy();
            connections.destroy();
            broker.delete(List.of(queue), List.of());
        }
    }

    private static void settle(ConcurrentNavigableMap<Long, Boolean> outstanding, long tag, boolean multiple, Semaphore slots,
                               CountDownLatch confirmed, AtomicLong lastConfirm, AtomicInteger failures) {
        var settled = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
        int n = 0;
        for (var iterator = settled.keySet().iterator(); iterator.hasNext(); ) {
            iterator.next();
            iterator.remove();
            n++;
        }
        if (failures != null) {
            failures.addAndGet(n);
        }
        lastConfirm.set(System.nanoTime());
        slots.release(n);
        for (int i = 0; i < n; i++) {
            confirmed.countDown();
        }
    }
}
