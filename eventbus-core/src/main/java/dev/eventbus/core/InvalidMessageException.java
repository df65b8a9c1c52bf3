package dev.eventbus.core;

import java.util.List;

/**
 * A message breaks its contract (for example its JSON Schema). Thrown on publish before anything is
 * sent; on consume the message is dead-lettered with the {@link #violations()} and never retried.
 */
public class InvalidMessageException extends NonRetryableException {

    private final String messageName;
    private final int messageVersion;
    private final List<String> violations;

    public InvalidMessageException(String messageName, int messageVersion, List<String> violations) {
        super(describe(messageName, messageVersion, violations));
        this.messageName = messageName;
        this.messageVersion = messageVersion;
        this.violations = List.copyOf(violations);
    }

    private static String describe(String name, int version, List<String> violations) {
        StringBuilder text = new StringBuilder()
                .append("message ").append(name).append(" v").append(version)
                .append(" is invalid (").append(violations.size()).append(violation(violations.size())).append(")");
        for (String violation : violations) {
            text.append("\n  - ").append(violation);
        }
        return text.toString();
    }

    private static String violation(int count) {
        return count == 1 ? " violation" : " violations";
    }

    /** The name of the invalid message, e.g. {@code user.created}. */
    public String messageName() {
        return messageName;
    }

    /** The version of the invalid message. */
    public int messageVersion() {
        return messageVersion;
    }

    /** Each violation, as {@code <json pointer>: <what is wrong>}. */
    public List<String> violations() {
        return violations;
    }
}
