package dev.eventbus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.MessageType;
import dev.eventbus.testkit.Await;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;

/**
 * What a Spring Boot application sees of the starter, whatever the transport: handler beans of every kind receive
 * events, a failing handler is retried by its own policy and dead-lettered, health is UP, the endpoint counts dead
 * letters. {@code HandlerBeansOnRabbitMqIT} runs it against the broker, {@code HandlerBeansInMemoryTest} without one,
 * with the same application and properties but {@code eventbus.transport}.
 */
abstract class HandlerBeansContract {

    static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Autowired
    EventPublisher events;
    @Autowired
    EventBus bus;
    @Autowired
    Handlers handlers;
    @Autowired
    Handlers.SendMailHandler sendMail;
    @Autowired
    Handlers.AuditTrail auditTrail;
    @Autowired
    Handlers.Mailer mailer;
    @Autowired
    Handlers.Invoicing invoicing;
    @Autowired
    HealthEndpoint health;
    @Autowired
    EventBusEndpoint endpoint;
    @Autowired
    EventBusProperties properties;

    @Test
    void everyKindOfHandlerBeanReceivesItsEvents() {
        String alice = "u-" + UUID.randomUUID();
        String nobody = "u-" + UUID.randomUUID();
        events.publish(new UserCreated(alice, "Alice"));
        events.publish(new UserCreated(nobody, " "));

        Await.until("send_mail_handler received both", TIMEOUT, () -> sendMail.received.containsAll(java.util.List.of(alice, nobody)),
                () -> sendMail.received.toString());
        Await.until("welcome received both", TIMEOUT, () -> mailer.welcomed.containsAll(java.util.List.of(alice, nobody)),
                () -> mailer.welcomed.toString());
        Await.until("notify_crm received both", TIMEOUT, () -> handlers.lambdaReceived.containsAll(java.util.List.of(alice, nobody)),
                () -> handlers.lambdaReceived.toString());
        Await.until("count_users received both", TIMEOUT, () -> mailer.counted.contains(alice + " attempt 1")
                && mailer.counted.contains(nobody + " attempt 1"), () -> mailer.counted.toString());
        String auditQueue = queue(UserDeleted.class, "audit_trail");
        Await.until("audit_trail received the user.deleted say_goodbye_when_blank published", TIMEOUT,
                () -> auditTrail.received.contains(nobody + "@" + auditQueue), () -> auditTrail.received.toString());
        assertThat(auditTrail.received).doesNotContain(alice + "@" + auditQueue);
    }

    @Test
    void aFailingHandlerIsRetriedByItsOwnPolicyThenDeadLettered() {
        String invoice = "inv-" + UUID.randomUUID();
        String queue = queue(InvoiceIssued.class, "send_invoice");
        long before = bus.admin().deadLetters().count(queue);
        events.publish(new InvoiceIssued(invoice));

        Await.until("a new dead letter of send_invoice", TIMEOUT, () -> bus.admin().deadLetters().count(queue) == before + 1,
                () -> bus.admin().deadLetters().count(queue) + " dead letters, attempts " + invoicing.attempts);
        assertThat(invoicing.attempts.stream().filter(invoice::equals)).hasSize(2); // eventbus.handlers.send-invoice: 1 retry
        Await.until("the endpoint counting it", TIMEOUT, () -> endpoint.describe().handlers().stream()
                .anyMatch(h -> h.queue().equals(queue) && h.deadLetters() != null && h.deadLetters() >= 1));
    }

    @Test
    void healthIsUpWithEveryHandlerConsuming() {
        Await.until("eventbus health UP", TIMEOUT, () -> Status.UP.equals(health.healthForPath("eventbus").getStatus()),
                () -> String.valueOf(health.healthForPath("eventbus")));
        assertThat(endpoint.describe().handlers()).isNotEmpty()
                .allSatisfy(handler -> assertThat(handler.state()).isEqualTo("CONSUMING"));
    }

    String queue(Class<?> type, String handler) {
        return new dev.eventbus.core.Convention(properties.getOrganization(), properties.getService(), properties.getNameStyle())
                .handlerQueue(MessageType.of(type), handler);
    }
}
