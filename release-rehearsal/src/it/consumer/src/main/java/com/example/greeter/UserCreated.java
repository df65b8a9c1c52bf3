package com.example.greeter;

import dev.eventbus.core.Event;

/** An event of the greeter's users: {@code user.created}, version 1 (schema in eventbus/schemas/user.created/1.json). */
public record UserCreated(String userId, String name) implements Event {
}
