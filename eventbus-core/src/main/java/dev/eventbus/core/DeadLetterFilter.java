package dev.eventbus.core;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which dead letters a {@link DeadLetters} operation reads or acts on: where to look (one handler queue, one handler, or
 * every handler queue of the bus), what a letter must match (every criterion set; none set matches all), and how many.
 * Immutable; build one with {@link #builder()}, or take {@link #ALL}.
 *
 * @param queue              only this handler queue (any service's, e.g. {@code alice.petisco.1.event.user_created.send_mail_handler});
 *                           null: the queues of the bus's own handlers
 * @param handler            only the bus's handler of this name (e.g. {@code send_mail_handler}); null: any
 * @param reasons            only letters dead-lettered for one of these; empty: any reason
 * @param messageName        only messages of this name (the wire's {@code type}, e.g. {@code user.created}); null: any
 * @param messageVersion     only this version of the message; 0: any
 * @param messageId          only the letters of this message id (it may be dead-lettered more than once); null: any
 * @param letterIds          only these letters ({@link DeadLetter#id()}); empty: any
 * @param deadLetteredAfter  only letters dead-lettered at or after this time; null: any. Letters without a time never
 *                           match a time criterion
 * @param deadLetteredBefore only letters dead-lettered before this time; null: any
 * @param errorContains      only letters whose failure (exception class or message) contains this text, ignoring case;
 *                           null: any
 * @param skip               how many matching letters to pass over first (paging); 0: none
 * @param limit              at most this many matching letters; {@link Long#MAX_VALUE}: all
 */
public record DeadLetterFilter(@Nullable String queue, @Nullable String handler, Set<DeadLetterReason> reasons,
                               @Nullable String messageName, int messageVersion, @Nullable String messageId,
                               Set<String> letterIds, @Nullable Instant deadLetteredAfter,
                               @Nullable Instant deadLetteredBefore, @Nullable String errorContains, long skip, long limit) {

    /** Every dead letter of the bus's handlers. */
    public static final DeadLetterFilter ALL = builder().build();

    public DeadLetterFilter {
        reasons = reasons.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(reasons));
        letterIds = Set.copyOf(letterIds);
        if (messageVersion < 0) {
            throw new IllegalArgumentException("messageVersion must be 1 or more (0 for any), not " + messageVersion);
        }
        if (skip < 0 || limit < 0) {
            throw new IllegalArgumentException("skip and limit must be 0 or more, not skip " + skip + ", limit " + limit);
        }
    }

    /** A builder that matches every dead letter of the bus's handlers until criteria are added. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this filter's criteria. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.queue = queue;
        builder.handler = handler;
        builder.reasons.addAll(reasons);
        builder.messageName = messageName;
        builder.messageVersion = messageVersion;
        builder.messageId = messageId;
        builder.letterIds.addAll(letterIds);
        builder.after = deadLetteredAfter;
        builder.before = deadLetteredBefore;
        builder.errorContains = errorContains;
        builder.skip = skip;
        builder.limit = limit;
        return builder;
    }

    /** Only the letters of one handler queue: a shortcut for {@code builder().queue(handlerQueue).build()}. */
    public static DeadLetterFilter queue(String handlerQueue) {
        return builder().queue(handlerQueue).build();
    }

    /** Whether a handler queue of this handler is in the scope ({@link #queue()} and {@link #handler()}). */
    public boolean covers(String handlerQueue, String handlerName) {
        return (queue == null || queue.equals(handlerQueue)) && (handler == null || handler.equals(handlerName));
    }

    /** Whether a letter meets every criterion (the scope, {@link #skip()} and {@link #limit()} aside). */
    public boolean matches(DeadLetter letter) {
        if (!reasons.isEmpty() && !reasons.contains(letter.reason())) {
            return false;
        }
        if (messageName != null && !messageName.equals(letter.messageName())) {
            return false;
        }
        if (messageVersion != 0 && messageVersion != letter.messageVersion()) {
            return false;
        }
        if (messageId != null && !messageId.equals(letter.messageId())) {
            return false;
        }
        if (!letterIds.isEmpty() && !letterIds.contains(letter.id())) {
            return false;
        }
        Instant at = letter.deadLetteredAt();
        if ((deadLetteredAfter != null || deadLetteredBefore != null) && at == null) {
            return false;
        }
        if (deadLetteredAfter != null && at.isBefore(deadLetteredAfter)) {
            return false;
        }
        if (deadLetteredBefore != null && !at.isBefore(deadLetteredBefore)) {
            return false;
        }
        if (errorContains != null) {
            String needle = errorContains.toLowerCase(Locale.ROOT);
            String failure = (letter.exceptionClass() + " " + letter.exceptionMessage()).toLowerCase(Locale.ROOT);
            return failure.contains(needle);
        }
        return true;
    }

    /** Builds a {@link DeadLetterFilter}. Not thread-safe; each setter returns this builder. */
    public static final class Builder {
        private @Nullable String queue;
        private @Nullable String handler;
        private final Set<DeadLetterReason> reasons = EnumSet.noneOf(DeadLetterReason.class);
        private @Nullable String messageName;
        private int messageVersion;
        private @Nullable String messageId;
        private final Set<String> letterIds = new LinkedHashSet<>();
        private @Nullable Instant after;
        private @Nullable Instant before;
        private @Nullable String errorContains;
        private long skip;
        private long limit = Long.MAX_VALUE;

        private Builder() {
        }

        /** Only this handler queue, which may be another service's. Default is every queue of the bus's handlers. */
        public Builder queue(String handlerQueue) {
            this.queue = requireText(handlerQueue, "queue");
            return this;
        }

        /** Only the bus's handler of this name. Default is every handler. */
        public Builder handler(String handlerName) {
            this.handler = requireText(handlerName, "handler");
            return this;
        }

        /** Adds reasons a letter may have been dead-lettered for. Default is any reason. */
        public Builder reason(DeadLetterReason... any) {
            for (DeadLetterReason reason : any) {
                reasons.add(Objects.requireNonNull(reason, "reason"));
            }
            return this;
        }

        /** Only messages of this name, e.g. {@code user.created}. Default is any. */
        public Builder messageName(String name) {
            this.messageName = requireText(name, "messageName");
            return this;
        }

        /** Only this version of the message (1 or more). Default is any. */
        public Builder messageVersion(int version) {
            if (version < 1) {
                throw new IllegalArgumentException("a message version is 1 or more, not " + version);
            }
            this.messageVersion = version;
            return this;
        }

        /** Only the letters of the message of this id. Default is any. */
        public Builder messageId(String id) {
            this.messageId = requireText(id, "messageId");
            return this;
        }

        /** Adds letters by {@link DeadLetter#id()}. Default is any letter. */
        public Builder letter(String... ids) {
            for (String id : ids) {
                letterIds.add(requireText(id, "letter id"));
            }
            return this;
        }

        /** Only letters dead-lettered at or after this time. Default is any time. */
        public Builder deadLetteredAfter(Instant time) {
            this.after = Objects.requireNonNull(time, "time");
            return this;
        }

        /** Only letters dead-lettered before this time. Default is any time. */
        public Builder deadLetteredBefore(Instant time) {
            this.before = Objects.requireNonNull(time, "time");
            return this;
        }

        /** Only letters dead-lettered longer ago than this (measured now, when called). Default is any age. */
        public Builder olderThan(Duration age) {
            return deadLetteredBefore(Instant.now().minus(requirePositive(age)));
        }

        /** Only letters dead-lettered within this long (measured now, when called). Default is any age. */
        public Builder newerThan(Duration age) {
            return deadLetteredAfter(Instant.now().minus(requirePositive(age)));
        }

        /** Only letters whose failure's class or message contains this text, ignoring case. Default is any. */
        public Builder errorContains(String text) {
            this.errorContains = requireText(text, "errorContains");
            return this;
        }

        /** Passes over this many matching letters first, for paging. Default is 0. */
        public Builder skip(long count) {
            if (count < 0) {
                throw new IllegalArgumentException("skip must be 0 or more, not " + count);
            }
            this.skip = count;
            return this;
        }

        /** At most this many matching letters (1 or more). Default is all. */
        public Builder limit(long count) {
            if (count < 1) {
                throw new IllegalArgumentException("limit must be 1 or more, not " + count + " (leave it unset for all)");
            }
            this.limit = count;
            return this;
        }

        /** The filter. */
        public DeadLetterFilter build() {
            if (after != null && before != null && !after.isBefore(before)) {
                throw new IllegalArgumentException("deadLetteredAfter " + after + " is not before deadLetteredBefore " + before
                        + ": no letter can match");
            }
            return new DeadLetterFilter(queue, handler, reasons, messageName, messageVersion, messageId, letterIds, after,
                    before, errorContains, skip, limit);
        }

        private static String requireText(String value, String what) {
            if (Objects.requireNonNull(value, what).isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return value;
        }

        private static Duration requirePositive(Duration age) {
            if (age.isNegative() || age.isZero()) {
                throw new IllegalArgumentException("an age must be positive, not " + age);
            }
            return age;
        }
    }
}
