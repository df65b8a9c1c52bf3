package dev.eventbus.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Overrides the name derived from the class name ({@code UserCreated} -> {@code user.created}).
 * The value must be lower-case words of {@code a-z0-9_} separated by dots, e.g. {@code user.registered}.
 *
 * <p>A class name with an acronym needs it: petisco splits every capital ({@code HTTPRequestDone} ->
 * {@code h.t.t.p.request.done}), so eventbus derives no name for such a class and asks for
 * {@code @MessageName("h.t.t.p.request.done")} (the name petisco services use) or a name of your own.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MessageName {
    String value();
}
