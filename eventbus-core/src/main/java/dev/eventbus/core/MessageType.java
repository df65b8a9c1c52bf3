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
        declaredRoutingKey(javaType); // checked once, when the type is first read
        return new MessageType<>(javaType, Names.messageName(javaType), version == null ? 1 : version.value(),
                command ? MessageKind.COMMAND : MessageKind.DOMAIN_EVENT);
    }

    /**
     * The routing key the class declares with {@link RoutingKey}, if it does: then it is published and bound with exactly
     * that key instead of the convention's.
     *
     * @throws ConfigurationException if the declared key is not dot-separated words of {@code A-Za-z0-9_-}
     */
    public java.util.Optional<String> declaredRoutingKey() {
        return declaredRoutingKey(javaType);
    }

    private static final java.util.regex.Pattern DECLARED_KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final int MAX_DECLARED_KEY_BYTES = 200;

    /** The key a class declares with {@link RoutingKey}, checked; empty for a class without it (a map, say). */
    static java.util.Optional<String> declaredRoutingKey(Class<?> javaType) {
        RoutingKey declared = javaType.getAnnotation(RoutingKey.class);
        if (declared == null) {
            return java.util.Optional.empty();
        }
        String key = declared.value();
        if (!DECLARED_KEY.matcher(key).matches()) {
            throw new ConfigurationException("@RoutingKey(\"" + key + "\") of " + javaType.getName() + " is not a routing key "
                    + "of dot-separated words of A-Za-z0-9_- (no *, # or spaces: it is a binding key too), e.g. "
                    + "@RoutingKey(\"stega.returns_updated\")");
        }
        if (key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_DECLARED_KEY_BYTES) {
            throw new ConfigurationException("@RoutingKey(\"" + key + "\") of " + javaType.getName() + " is over "
                    + MAX_DECLARED_KEY_BYTES + " bytes: the queues named after it would not fit AMQP's 255; shorten it");
        }
        return java.util.Optional.of(key);
    }

    @Override
    public String toString() {
        return kind.routingSegment() + " " + name + " v" + version + " (" + javaType.getName() + ")";
    }
}
