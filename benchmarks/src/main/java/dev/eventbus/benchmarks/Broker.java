package dev.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/** The broker the benchmarks run against, unique names, and cleanup that also runs after a failure. */
final class Broker {

    private final RabbitMqConnectionSettings settings;
    private final ConnectionFactory factory = new ConnectionFactory();

    Broker(RabbitMqConnectionSettings settings) {
        this.settings = settings;
        try {
            factory.setUri(settings.toUri());
        } catch (Exception e) {
            throw new IllegalArgumentException("bad broker URI " + RabbitMqConnectionSettings.maskPassword(settings.toUri()), e);
        }
    }

    RabbitMqConnectionSettings settings() {
        return settings;
    }

    /** The raw client's connection factory to the broker (for Spring AMQP's CachingConnectionFactory). */
    ConnectionFactory factory() {
        return factory;
    }

    /** A raw connection (the raw side of every benchmark: automatic recovery on, as the client's default). */
    Connection connect(String name) throws Exception {
        return factory.newConnection(name);
    }

    /** The broker's version, from the connection's server properties. */
    String version() throws Exception {
        try (Connection connection = connect("bench-version")) {
            return String.valueOf(connection.getServerProperties().get("version"));
        }
    }

    /** A name no other run uses: {@code bench-<what>-<random>} (a valid service name). */
    static String unique(String what) {
        return "bench-" + what + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    }

    /** The AMQP properties both sides publish with (the library's: persistent, JSON, id, time, type, app). */
    static AMQP.BasicProperties properties(String messageId, String appId) {
        return new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .messageId(messageId)
                .timestamp(new Date())
                .type(RawCodec.NAME)
                .appId(appId)
                .build();
    }

    /** Deletes queues then exchanges on a connection of its own; what does not exist is skipped. */
    void delete(List<String> queues, List<String> exchanges) {
        try (Connection connection = connect("bench-cleanup")) {
            for (String queue : queues) {
                try (Channel channel = connection.createChannel()) {
                    channel.queueDelete(queue);
                } catch (Exception e) {
                    System.err.println("cleanup: could not delete queue " + queue + ": " + e);
                }
            }
            for (String exchange : exchanges) {
                try (Channel channel = connection.createChannel()) {
                    channel.exchangeDelete(exchange);
                } catch (Exception e) {
                    System.err.println("cleanup: could not delete exchange " + exchange + ": " + e);
                }
            }
        } catch (Exception e) {
            System.err.println("cleanup: cannot connect to delete " + queues + " and " + exchanges + ": " + e);
        }
    }

    /** A bus builder for a benchmark's own service name, on this broker, shaped like the raw side. */
    RabbitMqEventBusBuilder bus(String service) {
        // no handler-queue TTL, as the raw side's queues: under load petisco's 5 s would dead-letter the backlog
        return RabbitMqEventBus.builder().connection(settings).organization("bench").service(service)
                .connectionName("bench." + service).handlerQueueTtl(null);
    }

    /**
     * Deletes what a bus with these subscriptions declares, through a second bus of the same service (the first one is
     * stopped by then, and deleting queues under a running consumer would make it declare them again).
     */
    void clear(String service, Consumer<RabbitMqEventBusBuilder> shape, List<Subscription> subscriptions) {
        RabbitMqEventBusBuilder builder = bus(service).connectionName("bench.cleanup." + service);
        shape.accept(builder);
        subscriptions.forEach(builder::subscribe);
        RabbitMqEventBus cleaner = builder.build();
        try {
            cleaner.admin().clear();
        } catch (RuntimeException e) {
            System.err.println("cleanup: could not delete the topology of " + service + ": " + e);
        } finally {
            cleaner.stop();
        }
    }
}
