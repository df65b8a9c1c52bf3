package dev.eventbus.rabbitmq.internal.topology;

import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.TopologyConflictException;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.EventBusException;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares a {@link Topology} on the broker, and removes it. Declaring is idempotent: running it twice changes
 * nothing. A queue or exchange that exists with other arguments fails with a {@link TopologyConflictException}
 * naming it and the differing argument. Shared store objects are declared but never deleted.
 *
 * <p>Thread-safe: each call uses channels of its own.
 */
public final class RabbitMqConfigurer {

    private static final Logger log = LoggerFactory.getLogger(RabbitMqConfigurer.class);
    private static final Pattern INEQUIVALENT_ARG = Pattern.compile("inequivalent arg '([^']+)'");

    private final Connection connection;

    /** A configurer declaring over the given connection (not closed by this class). */
    public RabbitMqConfigurer(Connection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /**
     * Declares every exchange, queue and binding of the topology: durable topic exchanges, durable queues.
     *
     * @throws TopologyConflictException if something exists with other arguments
     * @throws EventBusException         if the broker refuses for another reason (e.g. permissions)
     */
    public void declare(Topology topology) {
        Channel channel = openChannel();
        try {
            for (Topology.Exchange exchange : topology.exchanges()) {
                try {
                    channel.exchangeDeclare(exchange.name(), Topology.HEADERS.equals(exchange.type())
                            ? BuiltinExchangeType.HEADERS : BuiltinExchangeType.TOPIC, true, false, null);
                } catch (IOException e) {
                    throw failure("exchange", exchange.name(), e);
                }
            }
            for (Topology.Queue queue : topology.queues()) {
                try {
                    channel.queueDeclare(queue.name(), true, false, false, queue.arguments());
                } catch (IOException e) {
                    throw failure("queue", queue.name(), e);
                }
            }
            for (Topology.Binding binding : topology.bindings()) {
                try {
                    channel.queueBind(binding.queue(), binding.exchange(), binding.routingKey(),
                            binding.arguments().isEmpty() ? null : binding.arguments());
                } catch (IOException e) {
                    throw failure("binding of queue '" + binding.queue() + "' to exchange '" + binding.exchange()
                            + "' with key", binding.routingKey(), e);
                }
            }
            log.info("declared {} exchanges, {} queues, {} bindings", topology.exchanges().size(),
                    topology.queues().size(), topology.bindings().size());
        } finally {
            closeQuietly(channel);
        }
    }

    /**
     * Deletes the queues and exchanges of the topology that are not shared (the store's are left alone),
     * with whatever messages the queues hold. Deleting what does not exist is not an error.
     */
    public void clear(Topology topology) {
        Channel channel = openChannel();
        try {
            for (Topology.Queue queue : topology.queues()) {
                if (!queue.shared()) {
                    try {
                        channel.queueDelete(queue.name());
                    } catch (IOException e) {
                        throw failure("queue", queue.name(), e);
                    }
                }
            }
            for (Topology.Exchange exchange : topology.exchanges()) {
                if (!exchange.shared()) {
                    try {
                        channel.exchangeDelete(exchange.name());
                    } catch (IOException e) {
                        throw failure("exchange", exchange.name(), e);
                    }
                }
            }
            log.info("deleted the queues and exchanges of {}", topology.exchanges().isEmpty() ? "nothing" : topology.exchanges().get(0).name());
        } finally {
            closeQuietly(channel);
        }
    }

    private Channel openChannel() {
        try {
            return connection.createChannel();
        } catch (IOException e) {
            throw new EventBusException("cannot open a channel to declare the topology: " + e.getMessage(), e);
        }
    }

    private static EventBusException failure(String what, String name, IOException e) {
        ShutdownSignalException signal = e.getCause() instanceof ShutdownSignalException s ? s : null;
        String reply = signal == null ? e.getMessage() : replyText(signal);
        if (reply != null && reply.contains("PRECONDITION_FAILED")) {
            Matcher matcher = INEQUIVALENT_ARG.matcher(reply);
            String argument = matcher.find() ? matcher.group(1) : null;
            return new TopologyConflictException(what + " '" + name + "' already exists with other "
                    + (argument == null ? "settings" : "argument '" + argument + "'") + " than eventbus declares (" + reply
                    + "). " + conflictAdvice(name, argument), name, argument, e);
        }
        if (reply != null && reply.contains("ACCESS_REFUSED")) {
            return new EventBusException("the broker refused to declare " + what + " '" + name + "' (" + reply
                    + "): grant the user configure permission on the vhost", e);
        }
        return new EventBusException("cannot declare " + what + " '" + name + "': " + reply, e);
    }

    private static String conflictAdvice(String name, String argument) {
        if (name.equals(dev.eventbus.core.Convention.STORE_RETRY_QUEUE) && "x-message-ttl".equals(argument)) {
            return "retry.store is shared by the whole vhost: every service must declare it with the same storeRetryDelay "
                    + "(default 5 s, as petisco), or delete it and configure again";
        }
        if (name.equals(dev.eventbus.core.Convention.STORE_QUEUE) || name.equals(dev.eventbus.core.Convention.STORE_RETRY_QUEUE)) {
            return "The store queues are shared by the whole vhost and name one organization's exchanges: use one "
                    + "organization per vhost, or delete the store queues (they hold messages of every service) and configure again";
        }
        if ("x-message-ttl".equals(argument)) {
            return "Declare it with the same TTL as its other users (petisco declares handler queues with x-message-ttl 5000: "
                    + "see handlerQueueTtl, and retry queues with the retry delay), or delete it and configure again";
        }
        return "Declare it with the same settings as its other users, or delete it (with its messages) and configure again";
    }

    private static String replyText(ShutdownSignalException signal) {
        Object reason = signal.getReason();
        if (reason instanceof com.rabbitmq.client.AMQP.Channel.Close close) {
            return close.getReplyText();
        }
        if (reason instanceof com.rabbitmq.client.AMQP.Connection.Close close) {
            return close.getReplyText();
        }
        return signal.getMessage();
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            log.debug("closing the declaring channel failed", e);
        }
    }
}
