package dev.eventbus.spring.boot;

// tag::imports[]
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
// end::imports[]

/**
 * {@link HandlerBeansContract} against the broker: the testkit's {@code TestBroker} gives the class its broker URI and
 * names (a random organization, cleaned up after the class), handed to the context as properties. The documented
 * {@code @SpringBootTest} setup of docs/spring-boot.md.
 */
// tag::setup[]
@RabbitMqTest
@SpringBootTest(classes = BillingTestApplication.class, properties = {
        "eventbus.handlers.send-invoice.retry.max-retries=1", "eventbus.handlers.send-invoice.retry.delay=100ms",
        "management.endpoints.web.exposure.include=health,eventbus"})
@DirtiesContext // the bus stops with the context, after the class and before the TestBroker deletes its queues
class HandlerBeansOnRabbitMqIT extends HandlerBeansContract {

    private static TestBroker broker;

    @BeforeAll // runs before Spring starts the context: a TestBroker asked for here belongs to the class
    static void broker(TestBroker classBroker) {
        broker = classBroker;
    }

    @DynamicPropertySource
    static void eventbus(DynamicPropertyRegistry registry) {
        registry.add("eventbus.rabbitmq.url", () -> broker.uri());
        registry.add("eventbus.organization", () -> broker.organization());
        registry.add("eventbus.service", () -> broker.service());
    }
}
// end::setup[]
