package dev.eventbus.examples.spring;

import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.MessageType;
import dev.eventbus.spring.boot.EventBusProperties;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The processors' dead letters on demand over HTTP, as the plain example's {@code DeadLetterDesk}:
 * {@code GET /api/dead-letters?max=100} lists them, left in place; {@code POST /api/dead-letters/reprocess?max=100}
 * sends them back to the processors' queue with their retry count reset, e.g. once a fix is deployed. Requests block
 * while the broker answers.
 */
@RestController
@RequestMapping("/api/dead-letters")
public class DeadLetterController {

    private final EventBus bus;
    private final String queue;

    DeadLetterController(EventBus bus, EventBusProperties properties) {
        this.bus = bus;
        this.queue = new dev.eventbus.core.Convention(properties.getOrganization(), properties.getService(),
                properties.getNameStyle()).handlerQueue(MessageType.of(TaskCreated.class), "processor");
    }

    /** The processors' dead letters, oldest first: reason, attempts, exception and body of each. */
    @GetMapping
    public List<Map<String, Object>> list(@RequestParam(defaultValue = "100") int max) {
        return bus.admin().deadLetters().peek(queue, max).stream().map(DeadLetterController::describe).toList();
    }

    /** Sends up to {@code max} back to the processors; how many were sent. */
    @PostMapping("/reprocess")
    public Map<String, Object> reprocess(@RequestParam(defaultValue = "100") int max) {
        return Map.of("queue", queue, "reprocessed", bus.admin().deadLetters().reprocess(queue, max));
    }

    private static Map<String, Object> describe(DeadLetter letter) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reason", letter.reason().wireValue());
        out.put("attempts", letter.attempts());
        out.put("handler", letter.handler());
        out.put("exception_message", letter.exceptionMessage());
        out.put("body", new String(letter.body(), StandardCharsets.UTF_8));
        return out;
    }
}
