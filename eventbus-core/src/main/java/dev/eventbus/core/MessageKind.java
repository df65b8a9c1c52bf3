package dev.eventbus.core;

/**
 * What a message is: a domain event (something happened) or a command (do something).
 * Each kind has its wire value ({@code type_message} in the JSON body) and its routing key segment.
 */
public enum MessageKind {
    /** Something that happened; any number of handlers may react. */
    DOMAIN_EVENT("domain_event", "event"),
    /** A request to do something, usually handled by one service. */
    COMMAND("command", "command"),
    /** An untyped message, as petisco writes for its base class; read but never written by eventbus types. */
    MESSAGE("message", "message");

    private final String wireValue;
    private final String routingSegment;

    MessageKind(String wireValue, String routingSegment) {
        this.wireValue = wireValue;
        this.routingSegment = routingSegment;
    }

    /** The value of {@code type_message} in the JSON envelope. */
    public String wireValue() {
        return wireValue;
    }

    /** The type segment of routing keys and queue names: {@code event} or {@code command}. */
    public String routingSegment() {
        return routingSegment;
    }

    /**
     * The kind for a {@code type_message} value.
     *
     * @throws IllegalArgumentException if the value is none of {@code domain_event}, {@code command}, {@code message}
     */
    public static MessageKind fromWire(String value) {
        for (MessageKind kind : values()) {
            if (kind.wireValue.equals(value)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("type_message '" + value
                + "' is none of domain_event, command, message");
    }
}
