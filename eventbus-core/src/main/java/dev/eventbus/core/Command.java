package dev.eventbus.core;

/**
 * Marks a Java type as a command: it is routed with {@code command} in its routing key and written
 * with {@code "type_message": "command"}.
 *
 * <pre>{@code
 * record SendWelcomeMail(String email) implements Command {}
 * }</pre>
 */
public interface Command {
}
