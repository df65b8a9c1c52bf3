package dev.eventbus.examples.eventstore;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ReturnListener;
import dev.eventbus.core.Convention;
import dev.eventbus.core.EventBusException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqConnector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends stored message bodies to one handler queue only, exactly as stored: to the service's main exchange with the
 * routing key {@code retry.<handler queue>}, which only that queue is bound to (the binding a retry comes back
 * through, see docs/topology.md). Published persistent, mandatory and confirmed, with the message id, type and
 * timestamp as AMQP properties and no headers, like an original.
 *
 * <p>The bus cannot publish a stored body under a routing key of our choosing, so this uses an amqp-client channel
 * on a connection from the library's public {@link RabbitMqConnector}. Not thread-safe: one replay at a time (the
 * event store replays on its single handler thread).
 */
final class Replayer implements AutoCloseable {

    private final RabbitMqConnector connector;
    private final Convention convention;
    private final Duration confirmTimeout;
    private Connection connection;
    private Channel channel;
    private final AtomicReference<String> returned = new AtomicReference<>();

    Replayer(RabbitMqConnectionSettings settings, Convention convention, Duration confirmTimeout) {
        this.connector = new RabbitMqConnector(settings.withConnectionName(convention.mainExchange() + "-eventstore"));
        this.convention = convention;
        this.confirmTimeout = confirmTimeout;
    }

    /**
     * Publishes one chunk to a handler queue and waits until the broker confirmed all of it.
     *
     * @throws EventBusException if the queue does not exist (the message came back unroutable), the broker nacked,
     *                           or the confirms did not arrive within the timeout
     */
    void send(String handlerQueue, List<StoredEvent> chunk) {
        String routingKey = convention.retryRoutingKey(handlerQueue);
        try {
            Channel open = channel();
            returned.set(null);
            for (StoredEvent event : chunk) {
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                        .contentType("application/json")
                        .deliveryMode(2)
                        .messageId(event.messageId())
                        .type(event.name())
                        .timestamp(Date.from(event.occurredOn()))
                        .appId(convention.service())
                        .build();
                open.basicPublish(convention.mainExchange(), routingKey, true, properties, event.body().getBytes(StandardCharsets.UTF_8));
            }
            open.waitForConfirmsOrDie(confirmTimeout.toMillis());
        } catch (IOException | TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            closeChannel();
            throw new EventBusException("replaying " + chunk.size() + " stored messages to " + handlerQueue + " failed: " + e
                    + "; the replay is retried from its first offset", e);
        }
        String unroutable = returned.get();
        if (unroutable != null) {
            throw new EventBusException("replay to " + handlerQueue + " came back unroutable (" + unroutable
                    + "): the queue does not exist; the subscriber must declare it (configure) before asking for a replay");
        }
    }

    private Channel channel() throws IOException {
        if (connection == null || !connection.isOpen()) {
            connection = connector.open("replay");
        }
        if (channel == null || !channel.isOpen()) {
            channel = connection.createChannel();
            channel.confirmSelect();
            ReturnListener listener = (replyCode, replyText, exchange, routingKey, properties, body) ->
                    returned.compareAndSet(null, replyCode + " " + replyText + ", key " + routingKey);
            channel.addReturnListener(listener);
        }
        return channel;
    }

    private void closeChannel() {
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                channel.clearReturnListeners();
            }
        }
        channel = null;
    }

    /** Closes the channel and connection. */
    @Override
    public void close() {
        closeChannel();
        if (connection != null && connection.isOpen()) {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                connection.abort();
            }
        }
    }
}
