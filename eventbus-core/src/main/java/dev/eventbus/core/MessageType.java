package dev.eventbus.core;

import java.util.Objects;

/**
 * Describes a message type: its Java class, name, version and kind. Immutable.
 *
 * <p>{@link #of(Class)} reads it from the class: name from {@link MessageName} or derived from the class
 * name, version from {@link MessageVersion} (default 1), kind {@link MessageKind#COMMAND} for a
 * {@link Command}, else {@link MessageKind#DOMAIN_EVENT}.
 *
 * @param javaType the class that attributes are mapped to
 * @param name     the dotted message name, e.g. {@code user.created}
 * @param version  the version, 1 or more
 * @param kind     domain event or command ({@link MessageKind#MESSAGE} is read from the wire only, never a type's kind)
 * @param <T>      the Java type
 */
public record MessageType<T>(Class<T> javaType, String name, int version, MessageKind kind) {

    /**
     * Checks the type.
     *
     * @throws ConfigurationException if the name or version is invalid, or the kind is {@link MessageKind#MESSAGE}
     */
    public MessageType {
        Objects.requireNonNull(javaType, "javaType");
        Objects.requireNonNull(kind, "kind");
        if (kind == MessageKind.MESSAGE) {
            throw new ConfigurationException("message type " + javaType.getName() + " has kind message: that is petisco's"
                    + " untyped base kind, read from the wire but never published or subscribed to, since no routing key or"
                    + " queue carries it; give it kind DOMAIN_EVENT or COMMAND (MessageType.of reads Event or Command)");
        }
        Names.requireMessageName(name, "message name of " + javaType.getName());
        if (version < 1) {
            throw new ConfigurationException("version " + version + " of " + javaType.getName()
                    + " is not valid: versions start at 1 (set it with @MessageVersion)");
        }
    }

    /**
     * Reads the message type of a class from its annotations and marker interfaces (once per class; cached).
     *
     * @throws ConfigurationException if the class is both an {@link Event} and a {@link Command}, or its
     *                                name or version is invalid
     */
    @SuppressWarnings("unchecked")
    public static <T> MessageType<T> of(Class<T> javaType) {
        return (MessageType<T>) BY_CLASS.get(javaType);
    }

    /** Types read once per class: publishing wraps every payload with {@link #of}, so this is on the hot path. */
    private static final ClassValue<MessageType<?>> BY_CLASS = new ClassValue<>() {
        @Override
        protected MessageType<?> computeValue(Class<?> javaType) {
            return read(javaType);
        }
    };

    private static <T> MessageType<T> read(Class<T> javaType) {
        boolean command = Command.class.isAssignableFrom(javaType);
        if (command && Event.class.isAssignableFrom(javaType)) {
            throw new ConfigurationException(javaType.getName()
                    + " implements both Event and Command: a message is one or the other, remove one interface");
        }
        MessageVersion version = javaType.getAnnotation(MessageVersion.class);
        return new MessageType<>(javaType, Names.messageName(javaType), version == null ? 1 : version.value(),
                command ? MessageKind.COMMAND : MessageKind.DOMAIN_EVENT);
    }

    @Override
    public String toString() {
        return kind.routingSegment() + " " + name + " v" + version + " (" + javaType.getName() + ")";
    }
}
