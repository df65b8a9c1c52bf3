package dev.eventbus.examples.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbus.examples.eventstore.EventStore;
import dev.eventbus.examples.eventstore.EventStoreService;
import dev.eventbus.examples.eventstore.ObjectAudit;
import dev.eventbus.examples.eventstore.ReplayCompleted;
import dev.eventbus.examples.eventstore.StoredEvent;
import dev.eventbus.examples.launch.ServiceBuses;
import dev.eventbus.examples.typed.DeadLetterDesk;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every example service in one JVM against the local broker, on a vhost of this test's own (the store queue is one
 * per vhost), each service on its own exchange and subscribing to the others' messages: objects created over HTTP
 * become three tasks each, run by two competing processors that publish
 * task.finished in two versions; a kind no processor supports is dead-lettered, then reprocessed over HTTP once a
 * processor that supports it is deployed; the statistics count every message; the event store holds every message;
 * a subscriber that was away gets exactly what it missed replayed, then continues live.
 */
@RabbitMqTest
class PipelineIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private JsonNode call(String method, int port, String path, String body, int expectedStatus)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, response.statusCode(), method + " " + path + " answered " + response.body());
        return JSON.readTree(response.body());
    }

    private String createObject(Datagen datagen, String kind) throws IOException, InterruptedException {
        JsonNode created = call("POST", datagen.port(), "/api/objects", kind == null ? null : "{\"kind\": \"" + kind + "\"}", 201);
        assertEquals(kind == null ? Datagen.DEFAULT_KIND : kind, created.path("kind").asText(), "kind of the created object");
        return created.path("id").asText();
    }

    private static Map<String, Long> storedPerName(EventStore store) {
        return store.read(1, 10_000).stream()
                .collect(Collectors.groupingBy(StoredEvent::name, TreeMap::new, Collectors.counting()));
    }

    @Test
    void objectsBecomeTasksThatAreCountedStoredAndReplayedToASubscriberThatWasAway(TestBroker broker) throws Exception {
        TestBroker vhost = broker.withOwnVirtualHost();
        ServiceBuses buses = new ServiceBuses(vhost::bus);
        Processor.Options withFaults = Processor.Options.named("unused").unsupported(Set.of("video")).flaky(Set.of("image"));
        try (EventStore store = EventStore.open("jdbc:h2:mem:events-" + vhost.organization() + ";DB_CLOSE_DELAY=-1", "events");
             EventStoreService eventStore = EventStoreService.start(buses, store, 2, 0);
             Statistics statistics = Statistics.start(buses, "jdbc:h2:mem:statistics-" + vhost.organization(), 0);
             Distributor distributor = Distributor.start(buses);
             DeadLetterDesk deadLetters = DeadLetterDesk.start(buses, 0);
             Datagen datagen = Datagen.start(buses, 0);
             ObjectAudit audit = ObjectAudit.start(buses)) {
            Processor legacy = Processor.start(buses, new Processor.Options("legacy", 1, withFaults.unsupportedKinds(),
                    withFaults.flakyKinds(), withFaults.work(), withFaults.retry()));
            Processor current = Processor.start(buses, new Processor.Options("current", 2, withFaults.unsupportedKinds(),
                    withFaults.flakyKinds(), withFaults.work(), withFaults.retry()));

            // 1. four objects: two plain, one whose tasks fail once (retried), one no processor supports yet
            List<String> objects = new ArrayList<>();
            objects.add(createObject(datagen, null));
            objects.add(createObject(datagen, "document"));
            objects.add(createObject(datagen, "image"));
            objects.add(createObject(datagen, "video"));
            call("POST", datagen.port(), "/api/objects", "{\"kind\": \"Not A Kind\"}", 400);

            Await.until("9 tasks finished and the 3 video tasks dead-lettered", WAIT,
                    () -> statistics.snapshot().count("task.finished") == 9 && deadLetters.list(10).size() == 3,
                    () -> statistics.snapshot().messages() + ", dead letters " + deadLetters.list(10).size());
            JsonNode letters = call("GET", deadLetters.port(), "/api/dead-letters", null, 200);
            assertEquals(3, letters.size(), "dead letters listed over HTTP: " + letters);
            for (JsonNode letter : letters) {
                assertEquals("max_retries_exceeded", letter.path("reason").asText(), "reason of " + letter);
                assertEquals(withFaults.retry().maxRetries() + 1, letter.path("attempts").asInt(), "attempts of " + letter);
            }
            assertTrue(legacy.failures() + current.failures() >= 3 * 4 + 3,
                    "expected every video attempt and every image task's first attempt to fail; failures: legacy "
                            + legacy.failures() + ", current " + current.failures());

            // 2. deploy processors that support video, then reprocess the dead letters on demand
            legacy.close();
            current.close();
            try (Processor fixed = Processor.start(buses, Processor.Options.named("fixed"))) {
                JsonNode reprocessed = call("POST", deadLetters.port(), "/api/dead-letters/reprocess?max=10", null, 200);
                assertEquals(3, reprocessed.path("reprocessed").asInt(), "reprocessed: " + reprocessed);
                Await.until("12 tasks finished", WAIT, () -> statistics.snapshot().count("task.finished") == 12,
                        () -> statistics.snapshot().messages().toString());
                assertEquals(3, fixed.finished(), "tasks the fixed processor finished (the reprocessed ones)");
            }
            assertEquals(0, deadLetters.list(10).size(), "dead letters left after reprocessing");

            // 3. the statistics, over HTTP
            JsonNode stats = call("GET", statistics.port(), "/api/statistics", null, 200);
            JsonNode messages = stats.path("messages");
            assertEquals(4, messages.path("object.created").asLong(), "object.created counted: " + stats);
            assertEquals(12, messages.path("task.created").asLong(), "task.created counted: " + stats);
            assertEquals(12, messages.path("task.started").asLong(), "task.started counted: " + stats);
            assertEquals(objects.size(), messages.path("task.finished").asLong() / Distributor.TASKS_PER_OBJECT,
                    "objects created = tasks finished / 3: " + stats);
            JsonNode finishedByVersion = stats.path("messages_by_version").path("task.finished");
            assertEquals(legacy.finished(), finishedByVersion.path("1").asLong(), "task.finished v1 (legacy processor): " + stats);
            assertEquals(current.finished() + 3, finishedByVersion.path("2").asLong(), "task.finished v2: " + stats);
            assertTrue(legacy.finished() > 0 && current.finished() > 0, "expected both versions in flight; legacy finished "
                    + legacy.finished() + ", current " + current.finished());
            JsonNode durations = stats.path("durations");
            assertEquals(12, durations.path("tasks").asLong(), "tasks with a duration: " + stats);
            assertTrue(durations.path("mean_millis").asDouble() >= withFaults.work().toMillis(),
                    "mean task duration should cover the " + withFaults.work().toMillis() + " ms of work: " + stats);
            assertEquals(finishedByVersion.path("2").asLong(), durations.path("reported").asLong(),
                    "durations reported by v2 processors: " + stats);

            // 4. the store holds every message
            Map<String, Long> expectedStored = new TreeMap<>(Map.of("object.created", 4L, "task.created", 12L,
                    "task.started", 12L, "task.finished", 12L));
            Await.until("the event store holds every message", WAIT, () -> storedPerName(store).equals(expectedStored),
                    () -> storedPerName(store).toString());
            JsonNode head = call("GET", eventStore.port(), "/api/events/head", null, 200);
            assertEquals(40, head.path("head").asLong(), "head offset: " + head);

            // 5. the audit goes away, misses three objects, comes back: exactly those are replayed, then it goes on live
            assertEquals(vhost.organization() + ".audit.1.event.object_created.object_audit", audit.queue(),
                    "the audit's queue: service audit's name, subscribed from datagen");
            Await.until("the audit saw the first 4 objects", WAIT, () -> audit.objects().size() == 4,
                    () -> audit.objects().toString());
            audit.leave();
            List<String> missed = List.of(createObject(datagen, null), createObject(datagen, null), createObject(datagen, null));
            Await.until("the store holds the missed objects", WAIT, () -> storedPerName(store).get("object.created") == 7,
                    () -> storedPerName(store).toString());
            String request = audit.rejoin();
            String live = createObject(datagen, null);
            ReplayCompleted replay = Await.untilValue("the store's answer to the replay request", WAIT,
                    () -> audit.replay(request).orElse(null), done -> done != null);
            Await.until("the audit saw all 8 objects", WAIT, () -> audit.objects().size() == 8, () -> audit.objects().toString());

            assertEquals(missed.size(), replay.replayed(), "objects replayed: " + replay);
            List<String> seen = audit.objects();
            assertEquals(objects, seen.subList(0, 4), "objects the audit saw before it left");
            assertEquals(Set.copyOf(concat(missed, List.of(live))), Set.copyOf(seen.subList(4, 8)),
                    "after rejoining: the missed objects and the live one, each once: " + seen);
            assertEquals(missed, seen.stream().filter(missed::contains).toList(), "missed objects replayed in order: " + seen);
            assertTrue(distributor.distributed() >= objects.size() + missed.size() + 1,
                    "objects the distributor turned into tasks: " + distributor.distributed());
        }
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).collect(Collectors.toList());
    }
}
