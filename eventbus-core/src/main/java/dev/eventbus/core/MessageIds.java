package dev.eventbus.core;

import java.util.List;

/**
 * The rule for message ids: a UUID in its canonical text form, 32 hex digits in groups of 8-4-4-4-12
 * ({@code 0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d}, either case). petisco parses every id as a UUID and a message
 * whose id it cannot parse never reaches its handlers, so eventbus generates only such ids and accepts no other.
 * Stricter than {@link java.util.UUID#fromString}, which also takes {@code 1-1-1-1-1}. Stateless.
 */
final class MessageIds {

    /** An example for error messages. */
    static final String EXAMPLE = "0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d";
    private static final int MAX_SHOWN = 80;

    private MessageIds() {
    }

    /** Whether the text is a UUID in canonical form (hand-written: it runs for every message made or read). */
    static boolean isUuid(String id) {
        if (id == null || id.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = id.charAt(i);
            boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
                    : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** What is wrong with a non-UUID id, for errors: {@code 'x-1' is not a UUID ...}. */
    static String problem(String id) {
        return quote(id) + " is not a UUID: petisco reads only UUID ids (32 hex digits as 8-4-4-4-12, e.g. " + EXAMPLE + ")";
    }

    /** The error for a message made with a non-UUID id. */
    static InvalidMessageException invalid(String id, String name, int version) {
        return new InvalidMessageException(name, version, List.of("id: " + problem(id)
                + "; leave the id to Message.of, which generates one, or give UUID.randomUUID().toString()"));
    }

    /** The id quoted, cut to a readable length (it may come from the network). */
    static String quote(String id) {
        return id.length() > MAX_SHOWN ? "'" + id.substring(0, MAX_SHOWN) + "...' (" + id.length() + " characters)" : "'" + id + "'";
    }
}
