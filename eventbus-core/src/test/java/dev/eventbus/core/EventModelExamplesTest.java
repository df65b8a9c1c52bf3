package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * The code of docs/event-model.md, compiled and run. The docs include the regions between the {@code tag::} and
 * {@code end::} markers; after editing one, run {@code ./mvnw -q -pl docs test -Deventbus.docs.update=true}.
 */
class EventModelExamplesTest {

    // tag::records[]
    record UserCreated(String userId, String name) implements Event { }

    @MessageVersion(2)
    record SendWelcomeMail(String email, int retries, List<String> tags) implements Command { }
    // end::records[]

    // tag::message-name[]
    @MessageName("user.registered")
    record UserSignedUp(String userId) implements Event { }
    // end::message-name[]

    /** Where {@link SendMailHandler} sends its mail; the tests record what it sent. */
    interface Mailer {
        void send(UserCreated user);
    }

    // tag::handler[]
    static final class SendMailHandler implements MessageHandler<UserCreated> {
        private final Mailer mailer;

        SendMailHandler(Mailer mailer) {
            this.mailer = mailer;
        }

        @Override
        public void handle(Message<UserCreated> message) {
            if (message.payload().name() == null) {
                throw new NonRetryableException("user " + message.payload().userId() + " has no name to greet");
            }
            mailer.send(message.payload());
        }
    }
    // end::handler[]

    @Test
    void messageWrapsThePayloadInItsEnvelope() {
        // tag::message[]
        Message<UserCreated> message = Message.of(new UserCreated("u-1", "Alice"))
                .withMeta("correlation_id", "c-42");
        String name = message.name();        // "user.created"
        int version = message.version();     // 1
        MessageKind kind = message.kind();   // MessageKind.DOMAIN_EVENT
        // end::message[]
        assertEquals("user.created", name);
        assertEquals(1, version);
        assertEquals(MessageKind.DOMAIN_EVENT, kind);
        assertEquals(Map.of("correlation_id", "c-42"), message.meta());
        assertEquals("send.welcome.mail", MessageType.of(SendWelcomeMail.class).name());
        assertEquals(MessageKind.COMMAND, MessageType.of(SendWelcomeMail.class).kind());
        assertEquals("user.registered", MessageType.of(UserSignedUp.class).name());
    }

    @Test
    void conventionNamesEveryBrokerObject() {
        // tag::convention[]
        Convention convention = Convention.of("alice", "petisco");
        String queue = convention.handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");
        // end::convention[]
        assertEquals("alice.petisco.1.event.user_created.send_mail_handler", queue);
        assertEquals("retry.alice.petisco.1.event.user_created.send_mail_handler", convention.retryQueue(queue));
        assertEquals("dead_letter.alice.petisco.1.event.user_created.send_mail_handler", convention.deadLetterQueue(queue));

        // tag::name-style[]
        Convention javaOnly = new Convention("alice", "petisco", NameStyle.DOTS);    // a fleet without petisco services
        String routingKey = javaOnly.routingKey(MessageType.of(UserCreated.class));   // "alice.petisco.1.event.user.created"
        // end::name-style[]
        assertEquals("alice.petisco.1.event.user.created", routingKey);
    }

    @Test
    void codecWritesAndReadsTheEnvelope() {
        // tag::codec[]
        MessageCodec codec = new MessageCodec(new MessageRegistry().register(UserCreated.class, SendWelcomeMail.class));
        byte[] body = codec.encode(Message.of(new UserCreated("u-1", "Alice")));
        Message<?> decoded = codec.decode(body);            // payload: UserCreated[userId=u-1, name=Alice]
        // end::codec[]
        assertEquals(new UserCreated("u-1", "Alice"), decoded.payload());
    }

    @Test
    void codecSaysWhyItCannotDecode() {
        MessageCodec codec = new MessageCodec(new MessageRegistry().register(UserCreated.class));
        byte[] body = "not json".getBytes(StandardCharsets.UTF_8);
        MessageDecodingException.Reason reason = null;
        // tag::decoding-error[]
        try {
            codec.decode(body);
        } catch (MessageDecodingException e) {
            reason = e.reason();   // e.g. MessageDecodingException.Reason.UNDECODABLE_BODY
        }
        // end::decoding-error[]
        assertEquals(MessageDecodingException.Reason.UNDECODABLE_BODY, reason);
    }

    @Test
    void subscriptionsNameTheirHandlers() {
        Mailer mailer = user -> { };
        Queue<Message<Map<String, Object>>> stored = new ConcurrentLinkedQueue<>();
        List<Message<Map<String, Object>>> counted = new ArrayList<>();
        List<Integer> greeted = new java.util.ArrayList<>();
        // tag::subscriptions[]
        Subscription sendMail = Subscription.of(UserCreated.class, new SendMailHandler(mailer)); // send_mail_handler
        Subscription welcome = Subscription.of(SendWelcomeMail.class, "welcome_mailer", message -> { })
                .withRetry(RetryPolicy.of(3, Duration.ofSeconds(2)));
        Subscription audit = Subscription.of("audit_handler", (Message<Event> message) -> { },
                UserCreated.class, UserSignedUp.class);
        Subscription inOrder = Subscription.of("signup_funnel", (Message<Event> message) -> { },
                UserCreated.class, UserSignedUp.class).endpointQueue();                     // both on one queue, in order
        Subscription store = Subscription.store("event_store", stored::add);                   // every message, as a Map
        Subscription statistics = Subscription.allMessages("statistics", counted::add);       // every message, own queue
        Subscription fromAccounts = Subscription.of(UserCreated.class, "welcome", message -> { })
                .from("accounts");                                                              // another service's events
        Subscription withDelivery = Subscription.handling(UserCreated.class, "greeter",
                (message, delivery) -> greeted.add(delivery.attempt()));                      // the delivery as an argument
        // end::subscriptions[]
        assertEquals("greeter", withDelivery.handlerName());
        assertEquals("statistics", statistics.handlerName());
        assertEquals("accounts", fromAccounts.source().orElseThrow().service());
        assertEquals("send_mail_handler", sendMail.handlerName());
        assertEquals(RetryPolicy.of(3, Duration.ofSeconds(2)), welcome.retryPolicyOr(RetryPolicy.DEFAULT));
        assertEquals(2, audit.types().size());
        assertTrue(inOrder.isEndpointQueue() && !audit.isEndpointQueue());
        assertTrue(store.isStore());
    }

    @Test
    void inMemoryBusRunsTheDocumentedExample() {
        Queue<UserCreated> sent = new ConcurrentLinkedQueue<>();
        Mailer mailer = sent::add;
        // tag::in-memory-bus[]
        SendMailHandler sendMail = new SendMailHandler(mailer);
        InMemoryEventBus bus = InMemoryEventBus.builder()
                .retryPolicy(RetryPolicy.of(3, Duration.ofMillis(10)))
                .subscribe(Subscription.of(UserCreated.class, sendMail))
                .build();
        bus.start();

        bus.publish(new UserCreated("u-1", "Alice"));
        bus.publish(new UserCreated("u-2", null));   // NonRetryableException: straight to the dead letters

        bus.awaitIdle(Duration.ofSeconds(5));
        List<DeadLetter> failed = bus.deadLetters("send_mail_handler");
        bus.stop();
        // end::in-memory-bus[]

        assertEquals(List.of(new UserCreated("u-1", "Alice")), List.copyOf(sent));
        assertEquals(1, failed.size());
        assertEquals(DeadLetterReason.NON_RETRYABLE, failed.get(0).reason());
        assertEquals("local.inmemory.1.event.user_created.send_mail_handler", failed.get(0).queue());
    }
}
