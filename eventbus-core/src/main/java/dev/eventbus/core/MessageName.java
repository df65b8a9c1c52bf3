package dev.eventbus.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Overrides the name derived from the class name ({@code UserCreated} -> {@code user.created}).
 * The value must be lower-case words of {@code a-z0-9_} separated by dots, e.g. {@code user.registered}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MessageName {
    String value();
}
