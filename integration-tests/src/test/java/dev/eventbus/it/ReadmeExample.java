package dev.eventbus.it;

// tag::imports[]
import dev.eventbus.core.Event;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.time.Duration;
// end::imports[]

/**
 * The example of README.md, compiled here. It names fixed broker objects (organization alice, service petisco), so
 * no test runs it on the shared test broker; {@link RabbitMqDocsExamplesIT} and {@link DocsBusExampleIT} run the same
 * calls on a test's own names. After editing a region, run {@code ./mvnw -q -pl docs test -Deventbus.docs.update=true}.
 */
final class ReadmeExample {

    // tag::types[]
    interface Mailer { void welcome(String userId); }                             // your service's mail sender

    record UserCreated(String userId, String name) implements Event {}            // user.created, version 1

    static final class SendMailHandler implements MessageHandler<UserCreated> {   // handler name: send_mail_handler
        private final Mailer mailer;

        SendMailHandler(Mailer mailer) {
            this.mailer = mailer;
        }

        @Override
        public void handle(Message<UserCreated> message) {
            mailer.welcome(message.payload().userId());   // throw to retry; NonRetryableException to dead-letter
        }
    }
    // end::types[]

    private ReadmeExample() {
    }

    static void run(Mailer mailer) {
        // tag::bus[]
        RabbitMqEventBus bus = RabbitMqEventBus.builder()                        // broker: EVENTBUS_RABBITMQ_URL, else localhost
                .organization("alice").service("petisco")                         // exchange alice.petisco
                .retryPolicy(RetryPolicy.of(5, Duration.ofSeconds(5)))            // retry queue x-message-ttl 5000
                .subscribe(Subscription.of(UserCreated.class, new SendMailHandler(mailer)))
                .build();
        bus.admin().configure();                                                  // idempotent declarations (admin view)
        bus.start();                                                              // consume
        bus.publish(new UserCreated("u-1", "Alice"));                             // returns once the broker confirmed
        // routing key alice.petisco.1.event.user_created          (petisco's names: underscores; the body's type is user.created)
        // queue      alice.petisco.1.event.user_created.send_mail_handler
        bus.stop();                                                               // running handlers finish first
        // end::bus[]
    }
}
