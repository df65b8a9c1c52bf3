package dev.eventbus.rabbitmq.internal.topology;

import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.TopologyConflictException;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.core.EventBusException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
        List<Step> steps = new ArrayList<>();
        for (Topology.Exchange exchange : topology.exchanges()) {
            BuiltinExchangeType type = exchangeType(exchange);
            steps.add(new Step("exchange", exchange.name(), (channel, wait) -> {
                if (wait) {
                    channel.exchangeDeclare(exchange.name(), type, true, false, null);
                } else {
                    channel.exchangeDeclareNoWait(exchange.name(), type, true, false, false, null);
                }
            }));
        }
        for (Topology.Queue queue : topology.queues()) {
            steps.add(new Step("queue", queue.name(), (channel, wait) -> {
                if (wait) {
                    channel.queueDeclare(queue.name(), true, false, false, queue.arguments());
                } else {
                    channel.queueDeclareNoWait(queue.name(), true, false, false, queue.arguments());
                }
            }));
        }
        for (Topology.Binding binding : topology.bindings()) {
            @Nullable Map<String, Object> arguments = binding.arguments().isEmpty() ? null : binding.arguments();
            steps.add(new Step("binding of queue '" + binding.queue() + "' to exchange '" + binding.exchange() + "' with key",
                    binding.routingKey(), (channel, wait) -> {
                        if (wait) {
                            channel.queueBind(binding.queue(), binding.exchange(), binding.routingKey(), arguments);
                        } else {
                            channel.queueBindNoWait(binding.queue(), binding.exchange(), binding.routingKey(), arguments);
                        }
                    }));
        }
        // the one round trip: a passive declaration of the first exchange, answered only after everything before it
        @Nullable String first = topology.exchanges().isEmpty() ? null : topology.exchanges().get(0).name();
        if (apply(steps, channel -> {
            if (first == null) {
                channel.basicQos(0);
            } else {
                channel.exchangeDeclarePassive(first);
            }
        })) {
            log.info("declared {} exchanges, {} queues, {} bindings", topology.exchanges().size(),
                    topology.queues().size(), topology.bindings().size());
        } else {
            // the pipelined attempt failed, the one by one did not: something else changed the broker in between
            log.info("declared {} exchanges, {} queues, {} bindings (one by one, after a pipelined attempt failed)",
                    topology.exchanges().size(), topology.queues().size(), topology.bindings().size());
        }
    }

    /**
     * Deletes the queues and exchanges of the topology that are not shared (the store's are left alone),
     * with whatever messages the queues hold. Deleting what does not exist is not an error. Pipelined as
     * {@link #declare}, with the same one-by-one repeat naming what the broker refused.
     */
    public void clear(Topology topology) {
        List<Step> steps = new ArrayList<>();
        for (Topology.Queue queue : topology.queues()) {
            if (!queue.shared()) {
                steps.add(new Step("queue", queue.name(), (channel, wait) -> {
                    if (wait) {
                        channel.queueDelete(queue.name());
                    } else {
                        channel.queueDeleteNoWait(queue.name(), false, false);
                    }
                }));
            }
        }
        for (Topology.Exchange exchange : topology.exchanges()) {
            if (!exchange.shared()) {
                steps.add(new Step("exchange", exchange.name(), (channel, wait) -> {
                    if (wait) {
                        channel.exchangeDelete(exchange.name());
                    } else {
                        channel.exchangeDeleteNoWait(exchange.name(), false);
                    }
                }));
            }
        }
        apply(steps, channel -> channel.basicQos(0)); // the one round trip, answered after everything before it
        log.info("deleted the queues and exchanges of {}", topology.exchanges().isEmpty() ? "nothing" : topology.exchanges().get(0).name());
    }

    /** One declaration or deletion, sent waiting for its reply or not. */
    private interface Operation {
        void send(Channel channel, boolean wait) throws IOException;
    }

    /** A round trip on the channel. */
    private interface RoundTrip {
        void run(Channel channel) throws IOException;
    }

    /** An operation and what it is about, for the error naming it (see {@link #failure}). */
    private record Step(String what, String name, Operation operation) {
    }

    /**
     * Sends every step without waiting, then waits once ({@code sync}). If the broker refused something or the channel
     * closed, repeats the steps one by one on a new channel, waiting for each, which throws the error naming the step
     * that failed. Returns whether the pipelined attempt did it all.
     */
    private boolean apply(List<Step> steps, RoundTrip sync) {
        if (steps.isEmpty()) {
            return true;
        }
        Channel channel = openChannel();
        try {
            for (Step step : steps) {
                step.operation().send(channel, false);
            }
            sync.run(channel);
            return true;
        } catch (IOException | ShutdownSignalException e) {
            ShutdownSignalException signal = e instanceof ShutdownSignalException s ? s
                    : e.getCause() instanceof ShutdownSignalException s ? s : null;
            log.debug("pipelined declarations or deletions refused ({}); repeating them one by one",
                    signal == null ? e.getMessage() : replyText(signal));
        } finally {
            closeQuietly(channel);
        }
        channel = openChannel();
        try {
            for (Step step : steps) {
                try {
                    step.operation().send(channel, true);
                } catch (IOException e) {
                    throw failure(step.what(), step.name(), e);
                }
            }
            return false;
        } finally {
            closeQuietly(channel);
        }
    }

    private static BuiltinExchangeType exchangeType(Topology.Exchange exchange) {
        return Topology.HEADERS.equals(exchange.type()) ? BuiltinExchangeType.HEADERS : BuiltinExchangeType.TOPIC;
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
