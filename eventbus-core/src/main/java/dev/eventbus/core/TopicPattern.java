package dev.eventbus.core;

/**
 * AMQP topic matching, as RabbitMQ's topic exchange does it: words separated by dots, {@code *} matches exactly one
 * word, {@code #} zero or more. Stateless.
 */
final class TopicPattern {

    private TopicPattern() {
    }

    /** Whether the routing key matches the binding key. */
    static boolean matches(String bindingKey, String routingKey) {
        if (bindingKey.indexOf('*') < 0 && bindingKey.indexOf('#') < 0) {
            return bindingKey.equals(routingKey);
        }
        return matches(bindingKey.split("\\.", -1), 0, routingKey.split("\\.", -1), 0);
    }

    private static boolean matches(String[] pattern, int p, String[] words, int w) {
        while (p < pattern.length) {
            String part = pattern[p];
            if (part.equals("#")) {
                if (p == pattern.length - 1) {
                    return true;
                }
                for (int skip = w; skip <= words.length; skip++) {
                    if (matches(pattern, p + 1, words, skip)) {
                        return true;
                    }
                }
                return false;
            }
            if (w >= words.length || !(part.equals("*") || part.equals(words[w]))) {
                return false;
            }
            p++;
            w++;
        }
        return w == words.length;
    }
}
