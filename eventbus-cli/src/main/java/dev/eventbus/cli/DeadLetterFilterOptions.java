package dev.eventbus.cli;

import dev.eventbus.core.DeadLetterFilter;
import dev.eventbus.core.DeadLetterReason;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The criteria of {@link DeadLetterFilter} as options: reason, message name, version and id, letter ids, age and time,
 * error text, skip and limit. Mixed into {@code list}, {@code replay}, {@code move} and {@code discard}; every criterion
 * given must match.
 */
final class DeadLetterFilterOptions {

    @Option(names = {"-r", "--reason"}, paramLabel = "<reason>", split = ",",
            description = "Only letters dead-lettered for one of these reasons (repeat, or separate with ','): "
                    + "${COMPLETION-CANDIDATES}.")
    List<DeadLetterReason> reasons = new ArrayList<>();

    @Option(names = {"-n", "--name"}, paramLabel = "<message>", description = "Only messages of this name, e.g. user.created.")
    @Nullable String name;

    @Option(names = "--message-version", paramLabel = "<n>", description = "Only this version of the message.")
    int version;

    @Option(names = "--message-id", paramLabel = "<id>",
            description = "Only the letters of this message (a message may be dead-lettered more than once).")
    @Nullable String messageId;

    @Option(names = {"-l", "--letter"}, paramLabel = "<letter-id>", split = ",",
            description = "Only these letters, by the id `list` shows (<message id>/<tag>).")
    List<String> letters = new ArrayList<>();

    @Option(names = "--older-than", paramLabel = "<age>", converter = DurationConverter.class,
            description = "Only letters dead-lettered longer ago than this, e.g. 10m, 2h, 7d.")
    @Nullable Duration olderThan;

    @Option(names = "--newer-than", paramLabel = "<age>", converter = DurationConverter.class,
            description = "Only letters dead-lettered within this long, e.g. 30s, 1h.")
    @Nullable Duration newerThan;

    @Option(names = "--before", paramLabel = "<time>", converter = InstantConverter.class,
            description = "Only letters dead-lettered before this time: 2026-12-02T10:15:30Z, or a day (2026-12-02, UTC).")
    @Nullable Instant before;

    @Option(names = "--after", paramLabel = "<time>", converter = InstantConverter.class,
            description = "Only letters dead-lettered at or after this time: 2026-12-02T10:15:30Z, or a day (UTC).")
    @Nullable Instant after;

    @Option(names = {"-e", "--error-contains"}, paramLabel = "<text>",
            description = "Only letters whose failure (exception class or message) contains this text, ignoring case.")
    @Nullable String errorContains;

    @Option(names = "--skip", paramLabel = "<n>", description = "Pass over the first n matching letters (paging).")
    long skip;

    @Option(names = "--limit", paramLabel = "<n>", description = "At most n matching letters.")
    @Nullable Long limit;

    /**
     * The filter: the scope's queue or handler and these criteria.
     *
     * @param defaultLimit the limit without {@code --limit} ({@link Long#MAX_VALUE} for all)
     * @throws CommandFailure (usage) when the criteria contradict each other or a count is out of range
     */
    DeadLetterFilter filter(DeadLetterScopeOptions scope, long defaultLimit) {
        try {
            DeadLetterFilter.Builder builder = scope.builder();
            reasons.forEach(builder::reason);
            if (name != null) {
                builder.messageName(name);
            }
            if (version != 0) {
                builder.messageVersion(version);
            }
            if (messageId != null) {
                builder.messageId(messageId);
            }
            letters.forEach(builder::letter);
            Instant notBefore = latest(after, newerThan == null ? null : Instant.now().minus(positive(newerThan, "--newer-than")));
            Instant notAfter = earliest(before, olderThan == null ? null : Instant.now().minus(positive(olderThan, "--older-than")));
            if (notBefore != null) {
                builder.deadLetteredAfter(notBefore);
            }
            if (notAfter != null) {
                builder.deadLetteredBefore(notAfter);
            }
            if (errorContains != null) {
                builder.errorContains(errorContains);
            }
            builder.skip(skip);
            long max = limit != null ? limit : defaultLimit;
            if (max != Long.MAX_VALUE) {
                builder.limit(max);
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCodes.USAGE, e.getMessage() + ": check the filter options", e);
        }
    }

    /** The criteria in words for a confirmation, e.g. {@code reason non_retryable, older than PT10M}; empty for none. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (!reasons.isEmpty()) {
            parts.add("reason " + String.join("|", reasons.stream().map(DeadLetterReason::wireValue).toList()));
        }
        if (name != null) {
            parts.add("message " + name + (version != 0 ? " v" + version : ""));
        } else if (version != 0) {
            parts.add("version " + version);
        }
        if (messageId != null) {
            parts.add("message id " + messageId);
        }
        if (!letters.isEmpty()) {
            parts.add(letters.size() == 1 ? "letter " + letters.get(0) : letters.size() + " letters by id");
        }
        if (olderThan != null) {
            parts.add("older than " + words(olderThan));
        }
        if (newerThan != null) {
            parts.add("newer than " + words(newerThan));
        }
        if (before != null) {
            parts.add("before " + before);
        }
        if (after != null) {
            parts.add("after " + after);
        }
        if (errorContains != null) {
            parts.add("error containing '" + errorContains + "'");
        }
        if (skip > 0) {
            parts.add("skipping " + skip);
        }
        if (limit != null) {
            parts.add("at most " + limit);
        }
        return String.join(", ", parts);
    }

    private static String words(Duration age) {
        return age.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    private static Duration positive(Duration age, String option) {
        if (age.isNegative() || age.isZero()) {
            throw new IllegalArgumentException(option + " must be a positive age, not " + age);
        }
        return age;
    }

    private static @Nullable Instant latest(@Nullable Instant a, @Nullable Instant b) {
        return a == null ? b : b == null ? a : (a.isAfter(b) ? a : b);
    }

    private static @Nullable Instant earliest(@Nullable Instant a, @Nullable Instant b) {
        return a == null ? b : b == null ? a : (a.isBefore(b) ? a : b);
    }

    /** Reads {@code 2026-12-02T10:15:30Z} (ISO-8601 instant, any offset) or a day {@code 2026-12-02} (its start, UTC). */
    static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            String text = value.trim();
            try {
                if (text.length() == 10) {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a time: write e.g. "
                        + "2026-12-02T10:15:30Z, 2026-12-02T11:15:30+01:00 or 2026-12-02");
            }
        }
    }
}
