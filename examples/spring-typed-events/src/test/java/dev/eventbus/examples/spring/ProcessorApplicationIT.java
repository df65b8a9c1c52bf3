package dev.eventbus.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Spring Boot processor against the broker, as the plain example's {@code PipelineIT} runs its processor: a
 * distributor bus publishes tasks, an observer bus hears what the processor publishes. A plain task and a flaky one
 * (failing once, retried) finish with task.finished v2; one of a kind the processor does not support is retried 3 times
 * and dead-lettered, listed over HTTP and reprocessed over HTTP; health is UP.
 */
@RabbitMqTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"processor.unsupported-kinds=video", "processor.flaky-kinds=image"})
@DirtiesContext
class ProcessorApplicationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static TestBroker broker;

    @Autowired
    TestRestTemplate http;
    @Autowired
    TaskProcessor processor;

    @BeforeAll
    static void broker(TestBroker classBroker) {
        broker = classBroker;
    }

    @DynamicPropertySource
    static void eventbus(DynamicPropertyRegistry registry) {
        registry.add("eventbus.rabbitmq.url", () -> broker.uri());
        registry.add("eventbus.organization", () -> broker.organization());
    }

    @Test
    void processesTasksRetriesTheFlakyOneAndDeadLettersWhatItCannotThenReprocessesOverHttp() {
        List<TaskFinishedV2> finished = new CopyOnWriteArrayList<>();
        List<TaskStarted> started = new CopyOnWriteArrayList<>();
        RabbitMqEventBus observer = broker.bus(b -> b.service("observer").validator(ProcessorApplication.validator())
                .subscribe(Subscription.of(TaskFinishedV2.class, "finished", m -> finished.add(m.payload())).from("processor"),
                        Subscription.of(TaskStarted.class, "started", m -> started.add(m.payload())).from("processor")));
        observer.admin().configure();
        observer.start();
        RabbitMqEventBus distributor = broker.bus(b -> b.service("distributor").validator(ProcessorApplication.validator()));

        distributor.publish(new TaskCreated("t-doc", "o-1", "document", 1));
        distributor.publish(new TaskCreated("t-img", "o-2", "image", 1));
        distributor.publish(new TaskCreated("t-vid", "o-3", "video", 1));

        Await.until("task.finished v2 of t-doc and t-img", TIMEOUT, () -> finished.size() >= 2, finished::toString);
        assertThat(finished).extracting(TaskFinishedV2::taskId).containsExactlyInAnyOrder("t-doc", "t-img");
        assertThat(finished).allSatisfy(done -> assertThat(done.processor()).isEqualTo("spring-processor"));
        assertThat(started).extracting(TaskStarted::taskId).containsExactlyInAnyOrder("t-doc", "t-img");

        List<Map<String, Object>> letters = Await.untilValue("the video task dead-lettered", TIMEOUT, this::deadLetters,
                list -> !list.isEmpty());
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0)).containsEntry("reason", "max_retries_exceeded").containsEntry("attempts", 4);
        assertThat((String) letters.get(0).get("body")).contains("t-vid");
        assertThat(processor.failures()).isEqualTo(1 + 4); // the image once, the video 1 + 3 retries

        Map<String, Object> reprocessed = http.postForObject("/api/dead-letters/reprocess", null, Map.class);
        assertThat(reprocessed).containsEntry("reprocessed", 1);
        Await.until("the video task failing its 4 attempts again", TIMEOUT, () -> processor.failures() == 1 + 4 + 4,
                () -> processor.failures() + " failures");
        Await.untilValue("the video task back in the dead letters", TIMEOUT, this::deadLetters, list -> list.size() == 1);

        Map<String, Object> health = http.getForObject("/actuator/health/eventbus", Map.class);
        assertThat(health).containsEntry("status", "UP");
        Map<String, Object> endpoint = http.getForObject("/actuator/eventbus", Map.class);
        assertThat(endpoint).containsEntry("transport", "rabbitmq").containsEntry("service", "processor");
    }

    private List<Map<String, Object>> deadLetters() {
        return http.exchange("/api/dead-letters", HttpMethod.GET, null,
                new ParameterizedTypeReference<List<Map<String, Object>>>() { }).getBody();
    }
}
