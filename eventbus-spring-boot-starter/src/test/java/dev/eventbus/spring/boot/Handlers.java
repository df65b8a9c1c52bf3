package dev.eventbus.spring.boot;

import dev.eventbus.core.Delivery;
import dev.eventbus.core.DeliveryHandler;
import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One handler bean of every kind the starter subscribes, each recording what it received: a MessageHandler class, a
 * DeliveryHandler class, a lambda @Bean, @EventHandler methods taking the payload, the Message and the Delivery, and
 * one that publishes through the EventPublisher it depends on.
 */
@Configuration(proxyBeanMethods = false)
class Handlers {

    /** Names: send_mail_handler. */
    static final class SendMailHandler implements MessageHandler<UserCreated> {
        final List<String> received = new CopyOnWriteArrayList<>();

        @Override
        public void handle(Message<UserCreated> message) {
            received.add(message.payload().userId());
        }
    }

    /** Names: audit_trail; takes the delivery. */
    static final class AuditTrail implements DeliveryHandler<UserDeleted> {
        final List<String> received = new CopyOnWriteArrayList<>();

        @Override
        public void handle(Message<UserDeleted> message, Delivery delivery) {
            received.add(message.payload().userId() + "@" + delivery.queue());
        }
    }

    /** @EventHandler methods: welcome (payload), count_users (Message and Delivery), and a farewell publisher. */
    static final class Mailer {
        final List<String> welcomed = new CopyOnWriteArrayList<>();
        final List<String> counted = new CopyOnWriteArrayList<>();
        private final EventPublisher events;

        Mailer(EventPublisher events) {
            this.events = events;
        }

        @EventHandler
        void welcome(UserCreated created) {
            welcomed.add(created.userId());
        }

        @EventHandler(name = "count_users")
        void count(Message<UserCreated> message, Delivery delivery) {
            counted.add(message.payload().userId() + " attempt " + delivery.attempt());
        }

        /** Publishes what it handles on: the publisher is injected into a handler, which the bus runs. */
        @EventHandler
        void sayGoodbyeWhenBlank(UserCreated created) {
            if (created.name().isBlank()) {
                events.publish(new UserDeleted(created.userId()));
            }
        }
    }

    /** send_invoice fails every attempt: retried by its own policy (eventbus.handlers.send-invoice), then dead-lettered. */
    static final class Invoicing {
        final List<String> attempts = new CopyOnWriteArrayList<>();

        @EventHandler
        void sendInvoice(InvoiceIssued invoice) {
            attempts.add(invoice.invoiceId());
            throw new IllegalStateException("the mail server refused invoice " + invoice.invoiceId());
        }
    }

    final List<String> lambdaReceived = new CopyOnWriteArrayList<>();

    @Bean
    Invoicing invoicing() {
        return new Invoicing();
    }

    @Bean
    SendMailHandler sendMailHandler() {
        return new SendMailHandler();
    }

    @Bean
    AuditTrail auditTrail() {
        return new AuditTrail();
    }

    @Bean
    Mailer mailer(EventPublisher events) {
        return new Mailer(events);
    }

    /** A lambda: no class name to derive from, so the bean name, notifyCrm, gives notify_crm. */
    @Bean
    MessageHandler<UserCreated> notifyCrm() {
        return message -> lambdaReceived.add(message.payload().userId());
    }
}
