package dev.eventbus.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A message that a handler gave up on, with why. Immutable.
 *
 * <p>Build one with {@link #builder(byte[], String, String)}; the message id, name and version are read from the body
 * (petisco's envelope {@code {"data": {"id", "type", "version"}}}) when it has them.
 *
 * @param id               identifies this letter among the dead letters of its queue: {@code <message id>/<tag>}, the
 *                         tag unique per letter (a message may be dead-lettered twice); stable while the letter waits, so
 *                         it can be listed, then shown, replayed or discarded by id. Letters identical in body and
 *                         every header share an id
 * @param body             the message body exactly as received (may not be valid JSON)
 * @param handler          the handler name, e.g. {@code send_mail_handler}
 * @param queue            the handler's queue (on the in-memory bus, the queue it would have on a broker)
 * @param routingKey       the routing key the message was published with
 * @param reason           why it was dead-lettered
 * @param attempts         how many times the handler ran (0 if the message never reached it)
 * @param exceptionClass   the class of the last failure
 * @param exceptionMessage the message of the last failure, truncated to {@value #MAX_EXCEPTION_MESSAGE} characters
 * @param deadLetteredAt   when it was dead-lettered; null when the writer recorded no time (a petisco consumer)
 * @param messageId        the message's id, from the body (or the transport's message id); null if neither has one
 * @param messageName      the message's name ({@code type} on the wire, e.g. {@code user.created}); null if unreadable
 * @param messageVersion   the message's version; 0 if unreadable
 * @param firstFailedAt    when its first attempt failed; null if unknown (petisco and the broker do not record it)
 * @param lastFailedAt     when its last attempt failed (the failure that dead-lettered it); null if unknown
 * @param headers          every header of the dead letter as the transport carries it, by name (values are strings,
 *                         numbers, booleans, instants, byte arrays, lists and maps of these); empty in memory apart
 *                         from what the bus records
 */
public record DeadLetter(String id, byte[] body, String handler, String queue, String routingKey, DeadLetterReason reason,
                         int attempts, @Nullable String exceptionClass, @Nullable String exceptionMessage,
                         @Nullable Instant deadLetteredAt, @Nullable String messageId, @Nullable String messageName,
                         int messageVersion, @Nullable Instant firstFailedAt, @Nullable Instant lastFailedAt,
                         Map<String, Object> headers) {

    /** Exception messages are cut to this many characters, so headers stay small. */
    public static final int MAX_EXCEPTION_MESSAGE = 1000;

    public DeadLetter {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(reason, "reason");
        body = body.clone();
        exceptionMessage = truncate(exceptionMessage);
        headers = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(headers, "headers")));
    }

    /**
     * The letter of the releases before the dead-letter desk: message id, name and version read from the body, no failure
     * times beyond {@code deadLetteredAt} (the last failure), no headers; the id's tag is a digest of the fields.
     */
    public DeadLetter(byte[] body, String handler, String queue, String routingKey, DeadLetterReason reason, int attempts,
                      @Nullable String exceptionClass, @Nullable String exceptionMessage, @Nullable Instant deadLetteredAt) {
        this(builder(body, handler, queue).routingKey(routingKey).reason(reason).attempts(attempts)
                .failure(exceptionClass, exceptionMessage).deadLetteredAt(deadLetteredAt).lastFailedAt(deadLetteredAt)
                .build());
    }

    private DeadLetter(DeadLetter built) {
        this(built.id, built.body, built.handler, built.queue, built.routingKey, built.reason, built.attempts,
                built.exceptionClass, built.exceptionMessage, built.deadLetteredAt, built.messageId, built.messageName,
                built.messageVersion, built.firstFailedAt, built.lastFailedAt, built.headers);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The tag of {@link #id()}: what follows the message id, unique per letter of a queue. */
    public String tag() {
        return id.substring(id.lastIndexOf('/') + 1);
    }

    /** Cuts a failure's message to {@value #MAX_EXCEPTION_MESSAGE} characters, marking the cut. */
    public static String truncate(String text) {
        if (text == null || text.length() <= MAX_EXCEPTION_MESSAGE) {
            return text;
        }
        return text.substring(0, MAX_EXCEPTION_MESSAGE - 3) + "...";
    }

    /**
     * A builder of a dead letter of a body that a handler of a queue gave up on. Defaults: routing key the queue's name,
     * reason {@link DeadLetterReason#MAX_RETRIES_EXCEEDED}, 0 attempts, no failure, times or headers, a tag digested from
     * the body and the fields.
     */
    public static Builder builder(byte[] body, String handler, String queue) {
        return new Builder(body, handler, queue);
    }

    @Override
    public String toString() {
        return "DeadLetter[id=" + id + ", message=" + messageName + " v" + messageVersion + ", handler=" + handler
                + ", queue=" + queue + ", reason=" + reason.wireValue() + ", attempts=" + attempts + ", exception="
                + exceptionClass + ": " + exceptionMessage + ", deadLetteredAt=" + deadLetteredAt + "]";
    }

    /** Builds a {@link DeadLetter}. Not thread-safe; each setter returns this builder. */
    public static final class Builder {
        private final byte[] body;
        private final String handler;
        private final String queue;
        private String routingKey;
        private DeadLetterReason reason = DeadLetterReason.MAX_RETRIES_EXCEEDED;
        private int attempts;
        private @Nullable String exceptionClass;
        private @Nullable String exceptionMessage;
        private @Nullable Instant deadLetteredAt;
        private @Nullable Instant firstFailedAt;
        private @Nullable Instant lastFailedAt;
        private @Nullable String fallbackMessageId;
        private @Nullable String fallbackMessageName;
        private @Nullable String tag;
        private Map<String, Object> headers = Map.of();

        private Builder(byte[] body, String handler, String queue) {
            this.body = Objects.requireNonNull(body, "body").clone();
            this.handler = Objects.requireNonNull(handler, "handler");
            this.queue = Objects.requireNonNull(queue, "queue");
            this.routingKey = queue;
        }

        /** The routing key the message was first published with. Default is the queue's name. */
        public Builder routingKey(String key) {
            this.routingKey = Objects.requireNonNull(key, "routingKey");
            return this;
        }

        /** Why it was dead-lettered. Default is {@link DeadLetterReason#MAX_RETRIES_EXCEEDED}. */
        public Builder reason(DeadLetterReason why) {
            this.reason = Objects.requireNonNull(why, "reason");
            return this;
        }

        /** How many times the handler ran. Default is 0. */
        public Builder attempts(int count) {
            this.attempts = Math.max(0, count);
            return this;
        }

        /** The class and message of the last failure. Default is none. */
        public Builder failure(@Nullable String className, @Nullable String message) {
            this.exceptionClass = className;
            this.exceptionMessage = message;
            return this;
        }

        /** When it was dead-lettered. Default is unknown. */
        public Builder deadLetteredAt(@Nullable Instant time) {
            this.deadLetteredAt = time;
            return this;
        }

        /** When its first attempt failed. Default is unknown. */
        public Builder firstFailedAt(@Nullable Instant time) {
            this.firstFailedAt = time;
            return this;
        }

        /** When its last attempt failed. Default is unknown. */
        public Builder lastFailedAt(@Nullable Instant time) {
            this.lastFailedAt = time;
            return this;
        }

        /**
         * The message id and name the transport carries beside the body (e.g. AMQP's {@code message-id} and {@code type}),
         * used only when the body does not name them. Default is none.
         */
        public Builder transportIdentity(@Nullable String messageId, @Nullable String messageName) {
            this.fallbackMessageId = messageId;
            this.fallbackMessageName = messageName;
            return this;
        }

        /**
         * What makes the letter's id unique in its queue, without {@code /}. Default is a digest of the body and every
         * other field, so letters differing in anything have different ids.
         */
        public Builder tag(String unique) {
            if (unique.isEmpty() || unique.indexOf('/') >= 0) {
                throw new IllegalArgumentException("a dead letter's tag must be non-empty and have no '/': '" + unique + "'");
            }
            this.tag = unique;
            return this;
        }

        /** Every header of the letter. Default is none. */
        public Builder headers(Map<String, Object> all) {
            this.headers = Objects.requireNonNull(all, "headers");
            return this;
        }

        /** The dead letter. */
        public DeadLetter build() {
            MessageIdentity identity = MessageIdentity.read(body);
            String messageId = identity.id() != null ? identity.id() : fallbackMessageId;
            String messageName = identity.name() != null ? identity.name() : fallbackMessageName;
            String letterTag = tag != null ? tag : digest(messageId, canonical(headers));
            return new DeadLetter((messageId == null || messageId.isEmpty() ? "unknown" : messageId.replace('/', '_')) + "/"
                    + letterTag, body, handler, queue, routingKey, reason, attempts, exceptionClass, exceptionMessage,
                    deadLetteredAt, messageId, messageName, identity.version(), firstFailedAt, lastFailedAt, headers);
        }

        /** A value as text that is the same for equal contents: maps sorted by key, byte arrays in hex. */
        private static String canonical(@Nullable Object value) {
            if (value instanceof Map<?, ?> map) {
                StringBuilder out = new StringBuilder("{");
                new TreeMap<>(map.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        entry -> String.valueOf(entry.getKey()), entry -> canonical(entry.getValue()), (a, b) -> a)))
                        .forEach((key, text) -> out.append(key).append('=').append(text).append(';'));
                return out.append('}').toString();
            }
            if (value instanceof java.util.Collection<?> list) {
                return list.stream().map(Builder::canonical).collect(java.util.stream.Collectors.joining(",", "[", "]"));
            }
            if (value instanceof byte[] bytes) {
                return HexFormat.of().formatHex(bytes);
            }
            return String.valueOf(value);
        }

        private String digest(@Nullable String messageId, String canonicalHeaders) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(body);
                String fields = String.join("\u0000", String.valueOf(messageId), handler, queue, routingKey,
                        reason.wireValue(), String.valueOf(attempts), String.valueOf(exceptionClass),
                        String.valueOf(exceptionMessage), String.valueOf(deadLetteredAt), String.valueOf(firstFailedAt),
                        String.valueOf(lastFailedAt), canonicalHeaders);
                sha.update(fields.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(sha.digest(), 0, 6);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }
    }
}
