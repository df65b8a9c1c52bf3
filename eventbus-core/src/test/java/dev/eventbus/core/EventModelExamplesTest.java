package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** The code of docs/event-model.md, compiled and run; keep the two in step. */
class EventModelExamplesTest {

    // docs: "Events and commands"
    record UserCreated(String userId, String name) implements Event { }

    @MessageVersion(2)
    record SendWelcomeMail(String email, int retries, List<String> tags) implements Command { }

    @MessageName("user.registered")
    record UserSignedUp(String userId) implements Event { }

    // docs: "Handlers"
    static final class SendMailHandler implements MessageHandler<UserCreated> {
        final Queue<String> sent = new ConcurrentLinkedQueue<>();

        @Override
        public void handle(Message<UserCreated> message) {
            if (message.payload().name() == null) {
                throw new NonRetryableException("user " + message.payload().userId() + " has no name to greet");
            }
            sent.add(message.payload().userId());
        }
    }

    @Test
    void messageWrapsThePayloadInItsEnvelope() {
        Message<UserCreated> message = Message.of(new UserCreated("u-1", "Alice"))
                .withMeta("correlation_id", "c-42");
        assertEquals("user.created", message.name());
        assertEquals(1, message.version());
        assertEquals(MessageKind.DOMAIN_EVENT, message.kind());
        assertEquals(Map.of("correlation_id", "c-42"), message.meta());
        assertEquals("send.welcome.mail", MessageType.of(SendWelcomeMail.class).name());
        assertEquals(MessageKind.COMMAND, MessageType.of(SendWelcomeMail.class).kind());
        assertEquals("user.registered", MessageType.of(UserSignedUp.class).name());
    }

    @Test
    void conventionNamesEveryBrokerObject() {
        Convention convention = Convention.of("alice", "petisco");
        String queue = convention.handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");
        assertEquals("alice.petisco.1.event.user_created.send_mail_handler", queue);
        assertEquals("retry.alice.petisco.1.event.user_created.send_mail_handler", convention.retryQueue(queue));
        assertEquals("dead_letter.alice.petisco.1.event.user_created.send_mail_handler", convention.deadLetterQueue(queue));

        Convention petisco2 = new Convention("alice", "petisco", NameStyle.UNDERSCORES);
        assertEquals("alice.petisco.1.event.user_created", petisco2.routingKey(MessageType.of(UserCreated.class)));
    }

    @Test
    void codecWritesAndReadsTheEnvelope() {
        MessageCodec codec = new MessageCodec(new MessageRegistry().register(UserCreated.class, SendWelcomeMail.class));
        byte[] body = codec.encode(Message.of(new UserCreated("u-1", "Alice")));
        Message<?> decoded = codec.decode(body);
        assertEquals(new UserCreated("u-1", "Alice"), decoded.payload());
        MessageDecodingException e = assertThrows(MessageDecodingException.class,
                () -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)));
        assertEquals(MessageDecodingException.Reason.UNDECODABLE_BODY, e.reason());
    }

    @Test
    void subscriptionsNameTheirHandlers() {
        Queue<Message<Map<String, Object>>> stored = new ConcurrentLinkedQueue<>();
        Subscription sendMail = Subscription.of(UserCreated.class, new SendMailHandler());
        Subscription welcome = Subscription.of(SendWelcomeMail.class, "welcome_mailer", message -> { })
                .withRetry(RetryPolicy.of(3, Duration.ofSeconds(2)));
        Subscription audit = Subscription.of("audit_handler", (Message<Event> message) -> { },
                UserCreated.class, UserSignedUp.class);
        Subscription store = Subscription.store("event_store", stored::add);
        List<Message<Map<String, Object>>> counted = new ArrayList<>();
        Subscription statistics = Subscription.allMessages("statistics", counted::add);
        Subscription fromAccounts = Subscription.of(UserCreated.class, "welcome", message -> { })
                .from("accounts");
        assertEquals("statistics", statistics.handlerName());
        assertEquals("accounts", fromAccounts.source().orElseThrow().service());
        assertEquals("send_mail_handler", sendMail.handlerName());
        assertEquals(RetryPolicy.of(3, Duration.ofSeconds(2)), welcome.retryPolicyOr(RetryPolicy.DEFAULT));
        assertEquals(2, audit.types().size());
        assertTrue(store.isStore());
    }

    @Test
    void inMemoryBusRunsTheDocumentedExample() {
        SendMailHandler sendMail = new SendMailHandler();
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

        assertEquals(List.of("u-1"), List.copyOf(sendMail.sent));
        assertEquals(1, failed.size());
        assertEquals(DeadLetterReason.NON_RETRYABLE, failed.get(0).reason());
        assertEquals("local.inmemory.1.event.user_created.send_mail_handler", failed.get(0).queue());
    }
}
