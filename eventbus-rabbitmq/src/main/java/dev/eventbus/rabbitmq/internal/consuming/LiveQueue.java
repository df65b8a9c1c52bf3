package dev.eventbus.rabbitmq.internal.consuming;

import com.rabbitmq.client.Channel;
import dev.eventbus.core.Convention;
import dev.eventbus.core.Endpoint;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.rabbitmq.Topology;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queues of one instance of a {@link dev.eventbus.core.Subscription#live() live} subscription, which its consumer
 * declares on its own channel (so that automatic recovery declares them again, with their bindings, before it registers
 * the consumer again): the live queue, and with a retry policy of the subscription's own its retry queue and its
 * dead-letter queue, wired as a handler queue's ({@link Topology#plan}). Immutable.
 *
 * @param queue    the live queue, {@code <handler queue>.live.<instance>}
 * @param bindings its bindings from the publishers' exchanges
 * @param retries  its retry and dead-letter queues, or null for a live subscription that drops what fails
 */
public record LiveQueue(String queue, List<Endpoint.Binding> bindings, @Nullable Retries retries) {

    private static final Logger log = LoggerFactory.getLogger(LiveQueue.class);

    /**
     * The retry and dead-letter queues of a live queue.
     *
     * @param mainExchange       the service's main exchange, where the retry queue dead-letters back to the live queue
     * @param retryExchange      the service's retry exchange, which the retry queue is bound to
     * @param retryQueue         {@code retry.<live queue>}: non-durable, exclusive, auto-delete, TTL of the delay
     * @param retryRoutingKey    {@code retry.<live queue>}, which reaches the live queue only
     * @param delayMillis        the policy's fixed delay, the retry queue's {@code x-message-ttl}
     * @param deadLetterExchange the service's dead-letter exchange
     * @param deadLetterQueue    {@code dead_letter.<live queue>}: durable, outlives the instance
     * @param deadLetterKey      {@code dead_letter.<live queue>}
     */
    public record Retries(String mainExchange, String retryExchange, String retryQueue, String retryRoutingKey,
                          int delayMillis, String deadLetterExchange, String deadLetterQueue, String deadLetterKey) {
    }

    /** The queues of a live endpoint, with retries when its subscription has a policy of its own ({@code policy}). */
    public static LiveQueue of(Convention convention, Endpoint endpoint, RetryPolicy policy) {
        String queue = endpoint.queue();
        Retries retries = endpoint.subscription().isLiveWithRetries()
                ? new Retries(convention.mainExchange(), convention.retryExchange(), convention.retryQueue(queue),
                convention.retryRoutingKey(queue), (int) policy.delayMillis(), convention.deadLetterExchange(),
                convention.deadLetterQueue(queue), convention.deadLetterRoutingKey(queue))
                : null;
        return new LiveQueue(queue, endpoint.bindings(), retries);
    }

    /**
     * Declares the queues and bindings on this channel. The live queue is non-durable, exclusive and auto-delete (classic:
     * exclusive queues are); with retries it dead-letters a rejected message (a dead letter that could not be
     * republished) to its dead-letter queue, and its retry queue returns each message after the delay.
     *
     * @throws IOException if the broker refuses a declaration (the channel is then closed)
     */
    public void declare(Channel on, String handler) throws IOException {
        Map<String, Object> liveArgs = null;
        if (retries != null) {
            // first: the live queue's dead-letter target, and the retry queue that dead-letters into the live queue
            on.queueDeclare(retries.deadLetterQueue(), true, false, false, null);
            on.queueBind(retries.deadLetterQueue(), retries.deadLetterExchange(), retries.deadLetterKey());
            liveArgs = new LinkedHashMap<>();
            liveArgs.put(Topology.DEAD_LETTER_EXCHANGE, retries.deadLetterExchange());
            liveArgs.put(Topology.DEAD_LETTER_ROUTING_KEY, retries.deadLetterKey());
        }
        on.queueDeclare(queue, false, true, true, liveArgs);
        for (Endpoint.Binding binding : bindings) {
            on.queueBind(queue, binding.exchange(), binding.bindingKey());
        }
        if (retries != null) {
            Map<String, Object> retryArgs = new LinkedHashMap<>();
            retryArgs.put(Topology.DEAD_LETTER_EXCHANGE, retries.mainExchange());
            retryArgs.put(Topology.DEAD_LETTER_ROUTING_KEY, retries.retryRoutingKey());
            retryArgs.put(Topology.MESSAGE_TTL, retries.delayMillis());
            on.queueDeclare(retries.retryQueue(), false, true, true, retryArgs);
            on.queueBind(retries.retryQueue(), retries.retryExchange(), retries.retryRoutingKey());
            on.queueBind(queue, retries.mainExchange(), retries.retryRoutingKey());
            log.info("handler {}: declared live queue {} (exclusive, auto-delete) with {} binding(s), its retry queue {} "
                    + "(exclusive, {} ms) and its durable dead-letter queue {}", handler, queue, bindings.size(),
                    retries.retryQueue(), retries.delayMillis(), retries.deadLetterQueue());
        } else {
            log.info("handler {}: declared live queue {} (exclusive, auto-delete) with {} binding(s)", handler, queue,
                    bindings.size());
        }
    }
}
