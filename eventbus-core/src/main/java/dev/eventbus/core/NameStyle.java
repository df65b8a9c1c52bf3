package dev.eventbus.core;

/**
 * How the message-name part of routing keys and queue names is written. The JSON body's {@code type}
 * always keeps the dotted name; only broker names change.
 */
public enum NameStyle {
    /** {@code alice.petisco.1.event.user.created}: the seed convention (and petisco 1.x). Default. */
    DOTS,
    /** {@code alice.petisco.1.event.user_created}: petisco 2.x; choose it to share queues with petisco 2 services. */
    UNDERSCORES;

    /** The name as it appears in broker names. */
    public String apply(String messageName) {
        return this == DOTS ? messageName : messageName.replace('.', '_');
    }
}
