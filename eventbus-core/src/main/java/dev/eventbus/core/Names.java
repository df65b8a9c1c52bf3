package dev.eventbus.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * Derives message and handler names from Java class names, and checks names against the rules of
 * the convention. Stateless and thread-safe.
 *
 * <p>Message names: words are split where a lower-case letter or digit meets an upper-case one; digits stay
 * with the word before them ({@code UserV2Created} -> {@code user.v2.created}). That is also the name petisco
 * derives, except for a run of capitals: petisco splits every capital ({@code HTTPRequestDone} ->
 * {@code h.t.t.p.request.done}), so a class name with an acronym has no derived name: annotate it with
 * {@link MessageName}. Handler names split acronyms as words ({@code HTTPCallbackHandler} ->
 * {@code http_callback_handler}); petisco never derives those.
 */
public final class Names {

    /** AMQP short strings (exchange, queue and routing key names) are at most 255 bytes. */
    public static final int MAX_AMQP_NAME_BYTES = 255;

    private static final Pattern MESSAGE_NAME = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)*");
    private static final Pattern HANDLER_NAME = Pattern.compile("[a-z0-9_]+");
    private static final Pattern SCOPE_PART = Pattern.compile("[A-Za-z0-9_-]+");

    private Names() {
    }

    /**
     * The message name for a class: the value of its {@link MessageName} annotation, or else its simple name in
     * dotted snake case ({@code UserCreated} -> {@code user.created}), which is also the name petisco derives.
     *
     * @throws ConfigurationException for an invalid annotation value, or for a class name that petisco would spell
     *                                differently (an acronym, {@code HTTPRequestDone}: eventbus would say
     *                                {@code http.request.done}, petisco says {@code h.t.t.p.request.done}): the
     *                                error names both spellings and the annotation to add, because a message
     *                                published under a name no petisco service derives reaches none of them
     */
    public static String messageName(Class<?> type) {
        MessageName annotation = type.getAnnotation(MessageName.class);
        if (annotation != null) {
            return requireMessageName(annotation.value(), "@MessageName on " + type.getName());
        }
        String simpleName = simpleName(type);
        String derived = String.join(".", words(simpleName));
        String petisco = petiscoName(simpleName);
        if (!derived.equals(petisco)) {
            throw new ConfigurationException(differentPetiscoName(type, derived, petisco));
        }
        return derived;
    }

    private static String differentPetiscoName(Class<?> type, String derived, String petisco) {
        String problem = "no message name can be derived from " + type.getName() + ": eventbus would spell it '" + derived
                + "' but petisco derives '" + petisco + "'";
        if (!MESSAGE_NAME.matcher(petisco).matches()) {
            return problem + ", which is not a valid message name; annotate the class with @MessageName(\"" + derived + "\")";
        }
        return problem + " from the same class name (it starts a word at every capital), so the two would never meet; annotate the class with "
                + "@MessageName(\"" + petisco + "\") to share it with petisco services, or with @MessageName(\"" + derived
                + "\") for a name of your own";
    }

    /**
     * The name petisco derives for the same class: every capital starts a word, so acronyms are split
     * letter by letter ({@code HTTPRequestDone} -> {@code h.t.t.p.request.done}); the {@link MessageName}
     * value if the class has one. For a class without acronyms it equals {@link #messageName(Class)}.
     */
    public static String petiscoMessageName(Class<?> type) {
        MessageName annotation = type.getAnnotation(MessageName.class);
        if (annotation != null) {
            return annotation.value();
        }
        return petiscoName(simpleName(type));
    }

    /**
     * petisco's {@code re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("_", ".")}: a separator before every
     * ASCII capital but the first character, and underscores become dots too.
     */
    private static String petiscoName(String className) {
        StringBuilder out = new StringBuilder(className.length() + 8);
        for (int i = 0; i < className.length(); i++) {
            char c = className.charAt(i);
            if (c >= 'A' && c <= 'Z' && i > 0) {
                out.append('.');
            }
            out.append(c == '_' ? '.' : c);
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /**
     * A handler name in snake case from a class name: {@code SendMailHandler} -> {@code send_mail_handler}.
     *
     * @throws ConfigurationException for a lambda or anonymous class, which has no usable name
     */
    public static String handlerName(Class<?> handlerType) {
        if (handlerType.isAnonymousClass() || handlerType.isSynthetic() || handlerType.getSimpleName().contains("$Lambda")) {
            throw new ConfigurationException("handler " + handlerType.getName()
                    + " is a lambda or anonymous class, so no name can be derived from it: "
                    + "give the handler a name, e.g. Subscription.of(UserCreated.class, \"send_mail_handler\", handler)");
        }
        return String.join("_", words(handlerType.getSimpleName()));
    }

    /**
     * A handler name in snake case from a Java identifier, such as a method or bean name, split into words as
     * {@link #handlerName(Class)} splits class names: {@code sendWelcomeMail} -> {@code send_welcome_mail},
     * {@code onHTTPCallback} -> {@code on_http_callback}. For integrations that name a handler after a method
     * (the Spring Boot starter's {@code @EventHandler} methods).
     *
     * @throws ConfigurationException if the identifier has no letter or digit
     */
    public static String handlerName(String identifier) {
        Objects.requireNonNull(identifier, "identifier");
        List<String> words = words(identifier);
        if (words.isEmpty()) {
            throw new ConfigurationException("no handler name can be derived from '" + identifier
                    + "': it has no letter or digit; give the handler a name such as send_mail_handler");
        }
        return requireHandlerName(String.join("_", words));
    }

    /** Splits a CamelCase identifier into lower-case words. */
    static List<String> words(String identifier) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            if (!Character.isLetterOrDigit(c)) {
                flush(word, words);
                continue;
            }
            if (word.length() > 0 && Character.isUpperCase(c)) {
                char previous = identifier.charAt(i - 1);
                boolean afterLowerOrDigit = Character.isLowerCase(previous) || Character.isDigit(previous);
                boolean endsAcronym = Character.isUpperCase(previous)
                        && i + 1 < identifier.length() && Character.isLowerCase(identifier.charAt(i + 1));
                if (afterLowerOrDigit || endsAcronym) {
                    flush(word, words);
                }
            }
            word.append(Character.toLowerCase(c));
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (word.length() > 0) {
            words.add(word.toString().toLowerCase(Locale.ROOT));
            word.setLength(0);
        }
    }

    private static String simpleName(Class<?> type) {
        String name = type.getSimpleName();
        if (name.isEmpty()) {
            throw new ConfigurationException(type.getName()
                    + " is an anonymous class, so no message name can be derived from it: use a named class or record");
        }
        return name;
    }

    /**
     * Checks a message name: lower-case words of {@code a-z0-9_} separated by single dots.
     *
     * @param what names the value in the error, e.g. "message name" or "@MessageName on com.acme.UserCreated"
     * @return the name
     * @throws ConfigurationException naming the value and the rule it breaks
     */
    public static String requireMessageName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new ConfigurationException(what + " is empty: give a name such as user.created");
        }
        if (!MESSAGE_NAME.matcher(name).matches()) {
            throw new ConfigurationException(what + " '" + name + "' is not a valid message name: "
                    + describeRule(name, c -> lowerWordChar(c) || c == '.', "lower-case words of a-z, 0-9 and '_' separated by single dots, e.g. user.created"));
        }
        return name;
    }

    /**
     * Checks a handler name: one word of {@code a-z0-9_}, e.g. {@code send_mail_handler}.
     *
     * @throws ConfigurationException naming the value and the rule it breaks
     */
    public static String requireHandlerName(String name) {
        if (name == null || name.isEmpty()) {
            throw new ConfigurationException("handler name is empty: give a snake_case name such as send_mail_handler");
        }
        if (!HANDLER_NAME.matcher(name).matches()) {
            throw new ConfigurationException("handler name '" + name + "' is not valid: "
                    + describeRule(name, Names::lowerWordChar, "snake_case of a-z, 0-9 and '_' with no dots, e.g. send_mail_handler"));
        }
        return name;
    }

    /**
     * Checks an organization or service name: {@code A-Z a-z 0-9 _ -}, no dots (dots separate the parts
     * of routing keys).
     *
     * @param part "organization" or "service"
     * @throws ConfigurationException naming the part, the value and the rule it breaks
     */
    public static String requireScopePart(String value, String part) {
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException(part + " is empty: give a name such as 'alice' (organization) or 'petisco' (service)");
        }
        if (!SCOPE_PART.matcher(value).matches()) {
            throw new ConfigurationException(part + " '" + value + "' is not valid: "
                    + describeRule(value, c -> lowerWordChar(c) || c >= 'A' && c <= 'Z' || c == '-', "letters, digits, '_' and '-' only; no dots, since dots separate the parts of routing keys"));
        }
        return value;
    }

    /**
     * Checks that a broker name fits AMQP's 255-byte limit.
     *
     * @param what e.g. "dead-letter queue"
     * @throws ConfigurationException naming the value, its length and how to shorten it
     */
    public static String requireAmqpLength(String name, String what) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_AMQP_NAME_BYTES) {
            throw new ConfigurationException(what + " '" + name + "' is " + bytes + " bytes, over AMQP's limit of "
                    + MAX_AMQP_NAME_BYTES + ": shorten the organization, service, message or handler name");
        }
        return name;
    }

    private static String describeRule(String value, IntPredicate allowed, String rule) {
        if (value.startsWith(".") || value.endsWith(".") || value.contains("..")) {
            return "it has an empty part between dots; use " + rule;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!allowed.test(c)) {
                return "'" + c + "' at index " + i + " is not allowed; use " + rule;
            }
        }
        return "use " + rule;
    }

    private static boolean lowerWordChar(int c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_';
    }
}
