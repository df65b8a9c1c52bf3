package dev.eventbus.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps message names and versions to Java types, so a body can be decoded into the right class.
 * Thread-safe; register types before messages of them arrive.
 *
 * <p>A type is found under its own name only. Derived names are the names petisco derives (a class whose name
 * petisco would spell differently, such as one with an acronym, is refused by {@link MessageType#of(Class)}
 * until it has a {@link MessageName}), so messages from petisco services decode without aliases.
 */
public final class MessageRegistry {

    private final Map<String, MessageType<?>> byNameAndVersion = new ConcurrentHashMap<>();
    private final Map<Class<?>, MessageType<?>> byClass = new ConcurrentHashMap<>();

    /**
     * Registers the given classes, reading their types with {@link MessageType#of(Class)}.
     *
     * @throws ConfigurationException if a class has no valid name (see {@link Names#messageName(Class)}: a class name
     *                                with an acronym needs a {@link MessageName}) or clashes with a registered one
     */
    public MessageRegistry register(Class<?>... types) {
        for (Class<?> type : types) {
            register(MessageType.of(type));
        }
        return this;
    }

    /**
     * Registers a type. Registering the same type again does nothing.
     *
     * @throws ConfigurationException if another class is registered under the same name and version
     */
    public synchronized MessageRegistry register(MessageType<?> type) {
        putUnique(key(type.name(), type.version()), type);
        byClass.put(type.javaType(), type);
        return this;
    }

    private void putUnique(String key, MessageType<?> type) {
        MessageType<?> existing = byNameAndVersion.get(key);
        if (existing != null && !existing.javaType().equals(type.javaType())) {
            throw new ConfigurationException("message " + type.name() + " v" + type.version() + " is registered twice: as "
                    + existing.javaType().getName() + " and as " + type.javaType().getName()
                    + "; give one a different @MessageName or @MessageVersion");
        }
        byNameAndVersion.put(key, type);
    }

    /** Registers the types of every subscription. */
    public MessageRegistry registerAll(Iterable<Subscription> subscriptions) {
        for (Subscription subscription : subscriptions) {
            subscription.types().forEach(this::register);
        }
        return this;
    }

    /** The type registered for a name and version. */
    public Optional<MessageType<?>> find(String name, int version) {
        return Optional.ofNullable(byNameAndVersion.get(key(name, version)));
    }

    /** The type registered for a class, if it was registered. */
    @SuppressWarnings("unchecked")
    public <T> Optional<MessageType<T>> find(Class<T> javaType) {
        return Optional.ofNullable((MessageType<T>) byClass.get(javaType));
    }

    /** The versions registered for a name, ascending (empty if the name is unknown). */
    public Set<Integer> versions(String name) {
        Set<Integer> versions = new TreeSet<>();
        for (MessageType<?> type : byNameAndVersion.values()) {
            if (type.name().equals(name)) {
                versions.add(type.version());
            }
        }
        return versions;
    }

    /** Every registered type once, ordered by name then version. */
    public List<MessageType<?>> all() {
        List<MessageType<?>> all = new ArrayList<>(new java.util.LinkedHashSet<>(byClass.values()));
        all.sort(Comparator.comparing((MessageType<?> t) -> t.name()).thenComparingInt(MessageType::version));
        return all;
    }

    private static String key(String name, int version) {
        return name + "/" + version;
    }
}
