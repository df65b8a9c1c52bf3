package dev.eventbus.outbox;

import dev.eventbus.core.Event;

/** The event of the outbox tests: an account debited, the n-th message of its account. */
public record AccountDebited(String accountId, long amountCents, int sequence) implements Event {
}
