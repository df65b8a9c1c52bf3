package dev.eventbus.rabbitmq.internal.topology;

import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.TopologyConflictException;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.EventBusException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
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
     * <p>The declarations are pipelined: sent without waiting for each reply ({@code nowait}), then one round trip
     * confirms them all (the broker handles a channel's methods in order and closes the channel at the first refusal).
     * A service with 1 000 subscriptions declares some 3 000 queues and 4 000 bindings, so one blocking round trip each
     * would make {@code configure()} wait 7 000 times. If the broker refuses anything, the declarations are made once
     * more one by one on a new channel, which names the exact object and argument that failed.
     *
     * @throws TopologyConflictException if something exists with other arguments
     * @throws EventBusException         if the broker refuses for another reason (e.g. permissions)
     */
    public void declare(Topology topology) {
        if (pipelined(topology, true)) {
            log.info("declared {} exchanges, {} queues, {} bindings", topology.exchanges().size(),
                    topology.queues().size(), topology.bindings().size());
            return;
        }
        Channel channel = openChannel();
        try {
            for (Topology.Exchange exchange : topology.exchanges()) {
                try {
                    channel.exchangeDeclare(exchange.name(), exchangeType(exchange), true, false, null);
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
                    channel.queueBind(binding.queue(), binding.exchange(), binding.routingKey(), bindingArguments(binding));
                } catch (IOException e) {
                    throw failure("binding of queue '" + binding.queue() + "' to exchange '" + binding.exchange()
                            + "' with key", binding.routingKey(), e);
                }
            }
            // the pipelined attempt failed, this one did not: something else changed the broker in between
            log.info("declared {} exchanges, {} queues, {} bindings (one by one, after a pipelined attempt failed)",
                    topology.exchanges().size(), topology.queues().size(), topology.bindings().size());
        } finally {
            closeQuietly(channel);
        }
    }

    /**
     * Deletes the queues and exchanges of the topology that are not shared (the store's are left alone),
     * with whatever messages the queues hold. Deleting what does not exist is not an error. Pipelined as
     * {@link #declare}, with the same one-by-one repeat naming what the broker refused.
     */
    public void clear(Topology topology) {
        if (!pipelined(topology, false)) {
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
            } finally {
                closeQuietly(channel);
            }
        }
        log.info("deleted the queues and exchanges of {}", topology.exchanges().isEmpty() ? "nothing" : topology.exchanges().get(0).name());
    }

    /**
     * Declares ({@code declare}) or deletes the topology without waiting for each reply, then waits once: a passive
     * declaration of the first exchange (declaring, if there is one) or a {@code basic.qos}, answered only after everything
     * before it. Returns false, having logged why, if the broker refused something or the channel closed; the caller
     * then repeats it one by one to name what failed.
     */
    private boolean pipelined(Topology topology, boolean declare) {
        if (topology.exchanges().isEmpty() && topology.queues().isEmpty()) {
            return true;
        }
        Channel channel = openChannel();
        try {
            if (declare) {
                for (Topology.Exchange exchange : topology.exchanges()) {
                    channel.exchangeDeclareNoWait(exchange.name(), exchangeType(exchange), true, false, false, null);
                }
                for (Topology.Queue queue : topology.queues()) {
                    channel.queueDeclareNoWait(queue.name(), true, false, false, queue.arguments());
                }
                for (Topology.Binding binding : topology.bindings()) {
                    channel.queueBindNoWait(binding.queue(), binding.exchange(), binding.routingKey(), bindingArguments(binding));
                }
                if (topology.exchanges().isEmpty()) {
                    channel.basicQos(0);
                } else {
                    channel.exchangeDeclarePassive(topology.exchanges().get(0).name());
                }
            } else {
                for (Topology.Queue queue : topology.queues()) {
                    if (!queue.shared()) {
                        channel.queueDeleteNoWait(queue.name(), false, false);
                    }
                }
                for (Topology.Exchange exchange : topology.exchanges()) {
                    if (!exchange.shared()) {
                        channel.exchangeDeleteNoWait(exchange.name(), false);
                    }
                }
                channel.basicQos(0);
            }
            return true;
        } catch (IOException | ShutdownSignalException e) {
            ShutdownSignalException signal = e instanceof ShutdownSignalException s ? s
                    : e.getCause() instanceof ShutdownSignalException s ? s : null;
            log.debug("pipelined {} refused ({}); repeating it one by one", declare ? "declaration" : "deletion",
                    signal == null ? e.getMessage() : replyText(signal));
            return false;
        } finally {
            closeQuietly(channel);
        }
    }

    private static BuiltinExchangeType exchangeType(Topology.Exchange exchange) {
        return Topology.HEADERS.equals(exchange.type()) ? BuiltinExchangeType.HEADERS : BuiltinExchangeType.TOPIC;
    }

    private static @Nullable Map<String, Object> bindingArguments(Topology.Binding binding) {
        return binding.arguments().isEmpty() ? null : binding.arguments();
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
