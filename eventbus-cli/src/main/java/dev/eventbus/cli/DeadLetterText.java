package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.core.DeadLetter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** How dead letters look: a table and a detail view for people, JSON objects for scripts. Stateless. */
final class DeadLetterText {

    private static final int ERROR_WIDTH = 80;
    private static final String[] COLUMNS = {"LETTER", "DEAD-LETTERED", "REASON", "ATTEMPTS", "MESSAGE", "HANDLER", "ERROR"};

    private DeadLetterText() {
    }

    /** A table of letters, a line each, columns as wide as their widest value. */
    static String table(List<DeadLetter> letters) {
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(COLUMNS);
        for (DeadLetter letter : letters) {
            rows.add(new String[] {letter.id(), time(letter.deadLetteredAt()), letter.reason().wireValue(),
                    String.valueOf(letter.attempts()), message(letter), letter.handler(), error(letter, ERROR_WIDTH)});
        }
        int[] widths = new int[COLUMNS.length];
        rows.forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        });
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean number = i == 3;
                String cell = number ? " ".repeat(widths[i] - row[i].length()) + row[i] : row[i];
                line.append(i == row.length - 1 ? cell : pad(cell, widths[i])).append(i == row.length - 1 ? "" : "  ");
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    /** Every field of one letter, its headers and its body (pretty JSON when it is JSON, else text or base64). */
    static String detail(DeadLetter letter) {
        StringBuilder text = new StringBuilder();
        field(text, "letter", letter.id());
        field(text, "message", message(letter) + (letter.messageId() != null ? " (id " + letter.messageId() + ")" : ""));
        field(text, "handler", letter.handler());
        field(text, "queue", letter.queue());
        field(text, "routing key", letter.routingKey());
        field(text, "reason", letter.reason().wireValue());
        field(text, "attempts", String.valueOf(letter.attempts()));
        field(text, "error", error(letter, Integer.MAX_VALUE));
        field(text, "first failed", time(letter.firstFailedAt()));
        field(text, "last failed", time(letter.lastFailedAt()));
        field(text, "dead-lettered", time(letter.deadLetteredAt()));
        text.append("headers:\n");
        letter.headers().forEach((name, value) -> {
            JsonNode node = plain(value);
            text.append("  ").append(name).append(": ").append(node.isTextual() ? node.asText() : node.toString()).append('\n');
        });
        text.append("body (").append(letter.body().length).append(" bytes):\n");
        JsonNode json = bodyJson(letter.body());
        if (json != null) {
            try {
                text.append(Output.JSON.writeValueAsString(json)).append('\n');
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            String utf8 = utf8(letter.body());
            text.append(utf8 != null ? utf8 : "base64 " + Base64.getEncoder().encodeToString(letter.body())).append('\n');
        }
        return text.toString();
    }

    /**
     * A letter as JSON: its fields; with {@code full}, its headers and body too ({@code body} as JSON when it is JSON,
     * else {@code bodyText}, else {@code bodyBase64}).
     */
    static ObjectNode json(DeadLetter letter, boolean full) {
        ObjectNode node = Output.JSON.createObjectNode();
        node.put("id", letter.id()).put("messageId", letter.messageId()).put("messageName", letter.messageName())
                .put("messageVersion", letter.messageVersion()).put("handler", letter.handler())
                .put("queue", letter.queue()).put("routingKey", letter.routingKey())
                .put("reason", letter.reason().wireValue()).put("attempts", letter.attempts())
                .put("exceptionClass", letter.exceptionClass()).put("exceptionMessage", letter.exceptionMessage())
                .put("deadLetteredAt", iso(letter.deadLetteredAt())).put("firstFailedAt", iso(letter.firstFailedAt()))
                .put("lastFailedAt", iso(letter.lastFailedAt()));
        if (full) {
            ObjectNode headers = node.putObject("headers");
            letter.headers().forEach((name, value) -> headers.set(name, plain(value)));
            JsonNode body = bodyJson(letter.body());
            String utf8 = utf8(letter.body());
            if (body != null) {
                node.set("body", body);
            } else if (utf8 != null) {
                node.put("bodyText", utf8);
            } else {
                node.put("bodyBase64", Base64.getEncoder().encodeToString(letter.body()));
            }
        }
        return node;
    }

    /** A header value as JSON: instants as ISO-8601 text, byte arrays as base64, lists and maps nested. */
    static JsonNode plain(@Nullable Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value == null) {
            return nodes.nullNode();
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = nodes.objectNode();
            map.forEach((key, nested) -> object.set(String.valueOf(key), plain(nested)));
            return object;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = nodes.arrayNode();
            list.forEach(nested -> array.add(plain(nested)));
            return array;
        }
        if (value instanceof byte[] bytes) {
            return nodes.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof Number || value instanceof Boolean) {
            return Output.JSON.valueToTree(value);
        }
        return nodes.textNode(String.valueOf(value));
    }

    /** {@code user.created v1}, or {@code (unreadable)} when the body named no message. */
    private static String message(DeadLetter letter) {
        return letter.messageName() == null ? "(unreadable)" : letter.messageName() + " v" + letter.messageVersion();
    }

    /** The failure on one line: the exception's simple class name and its message, cut to {@code width}. */
    private static String error(DeadLetter letter, int width) {
        String type = letter.exceptionClass() == null ? ""
                : letter.exceptionClass().substring(letter.exceptionClass().lastIndexOf('.') + 1);
        String message = letter.exceptionMessage() == null ? "" : letter.exceptionMessage().replaceAll("\\s+", " ");
        String error = type.isEmpty() ? message : message.isEmpty() ? type : type + ": " + message;
        return error.length() <= width ? error : error.substring(0, width - 3) + "...";
    }

    private static String time(@Nullable Instant time) {
        return time == null ? "-" : time.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static @Nullable String iso(@Nullable Instant time) {
        return time == null ? null : time.toString();
    }

    private static @Nullable JsonNode bodyJson(byte[] body) {
        try {
            JsonNode node = Output.JSON.readTree(body);
            return node == null || node.isMissingNode() ? null : node;
        } catch (IOException e) {
            return null;
        }
    }

    private static @Nullable String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void field(StringBuilder text, String name, String value) {
        text.append(pad(name + ":", 15)).append(value).append('\n');
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
