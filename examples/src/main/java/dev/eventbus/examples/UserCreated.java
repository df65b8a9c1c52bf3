package dev.eventbus.examples;

import dev.eventbus.core.Event;

/**
 * The example's domain event: routed as {@code alice.petisco.1.event.user_created}.
 *
 * @param userId the new user's id
 * @param name   the new user's name
 */
public record UserCreated(String userId, String name) implements Event {
}
