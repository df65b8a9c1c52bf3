package dev.eventbus.examples.billing;

import dev.eventbus.core.Event;

/**
 * An account was debited (event {@code account.debited} v1, schema {@code pipeline-schemas/account.debited/1.json}).
 *
 * @param accountId    the account
 * @param amountCents  what was taken, in cents (1 or more)
 * @param balanceCents the balance after it
 */
public record AccountDebited(String accountId, long amountCents, long balanceCents) implements Event {
}
