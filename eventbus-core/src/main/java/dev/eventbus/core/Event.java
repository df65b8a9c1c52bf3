package dev.eventbus.core;

/**
 * Marks a Java type as a domain event. Optional: a type that implements neither {@code Event} nor
 * {@link Command} is a domain event too; implementing it says so in the code.
 *
 * <pre>{@code
 * record UserCreated(String userId, String name) implements Event {}
 * }</pre>
 */
public interface Event {
}
