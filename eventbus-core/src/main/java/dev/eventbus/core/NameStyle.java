package dev.eventbus.core;

/**
 * How the message-name part of routing keys and queue names is written. The JSON body's {@code type} always keeps the
 * dotted name ({@code user.created}); only broker names change.
 */
public enum NameStyle {
    /**
     * {@code alice.petisco.1.event.user.created}: dots, as the seed document writes it. No petisco release routes this
     * way: choose it only for a fleet of Java services that shares no queue with petisco services.
     */
    DOTS,
    /**
     * {@code alice.petisco.1.event.user_created}, queue {@code alice.petisco.1.event.user_created.send_mail_handler}:
     * what every petisco release since 0.32 (1.x and 2.x) writes. Default, so that a Java service dropped into a
     * petisco fleet routes to and from its services with no setting.
     */
    UNDERSCORES;

    /** The name as it appears in broker names. */
    public String apply(String messageName) {
        return this == DOTS ? messageName : messageName.replace('.', '_');
    }
}
