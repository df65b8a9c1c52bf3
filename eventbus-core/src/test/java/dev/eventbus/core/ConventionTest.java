package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every name of the wire format facts ({@code src/test/resources/wire/README.md}) and the petisco seed, for alice/petisco. */
class ConventionTest {

    record UserCreated(String userId) { }

    @MessageVersion(2)
    record SendWelcomeMail(String email) implements Command { }

    private static final String HANDLER = "send_mail_handler";
    private final Convention alice = new Convention("alice", "petisco", NameStyle.DOTS);
    private final MessageType<UserCreated> userCreated = MessageType.of(UserCreated.class);

    @Test
    void exchangesAreNamedAfterOrganizationAndService() {
        assertEquals("alice.petisco", alice.mainExchange());
        assertEquals("retry.alice.petisco", alice.retryExchange());
        assertEquals("dead_letter.alice.petisco", alice.deadLetterExchange());
    }

    @Test
    void eventRoutingKeyIsOrganizationServiceVersionEventName() {
        assertEquals("alice.petisco.1.event.user.created", alice.routingKey(userCreated));
        assertEquals("alice.petisco.1.event.user.created", alice.routingKey("user.created", 1, MessageKind.DOMAIN_EVENT));
        Message<UserCreated> message = new Message<>("0b0c1f1e-7a55-4b5f-9a7e-3d1c2a4b5c6d", "user.created", 1, MessageKind.DOMAIN_EVENT, Instant.EPOCH,
                new UserCreated("u-1"), Map.of());
        assertEquals("alice.petisco.1.event.user.created", alice.routingKey(message));
    }

    @Test
    void commandRoutingKeyHasTheCommandSegmentAndItsVersion() {
        assertEquals("alice.petisco.2.command.send.welcome.mail", alice.routingKey(MessageType.of(SendWelcomeMail.class)));
        assertEquals("alice.petisco.2.command.send.welcome.mail.send_mail_handler",
                alice.handlerQueue(MessageType.of(SendWelcomeMail.class), HANDLER));
    }

    @Test
    void handlerQueueAndItsRetryAndDeadLetterNamesFollowTheSeed() {
        String queue = alice.handlerQueue(userCreated, HANDLER);
        assertEquals("alice.petisco.1.event.user.created.send_mail_handler", queue);
        assertEquals("retry.alice.petisco.1.event.user.created.send_mail_handler", alice.retryQueue(queue));
        assertEquals("retry.alice.petisco.1.event.user.created.send_mail_handler", alice.retryRoutingKey(queue));
        assertEquals("dead_letter.alice.petisco.1.event.user.created.send_mail_handler", alice.deadLetterQueue(queue));
        assertEquals("dead_letter.alice.petisco.1.event.user.created.send_mail_handler", alice.deadLetterRoutingKey(queue));
    }

    @Test
    void storeQueuesAreSharedByTheVhostAndItsExchangesByTheOrganization() {
        assertEquals("store", Convention.STORE_QUEUE);
        assertEquals("retry.store", Convention.STORE_RETRY_QUEUE);
        assertEquals("dead_letter.store", Convention.STORE_DEAD_LETTER_QUEUE);
        assertEquals("retry.alice.store", alice.storeRetryExchange());
        assertEquals("dead_letter.alice.store", alice.storeDeadLetterExchange());
    }

    @Test
    void storeBindingKeysCoverDottedNamesWithDotsStyle() {
        assertEquals(List.of("*.*.*.event.*", "*.*.*.command.*", "*.*.*.event.#", "*.*.*.command.#"),
                alice.storeBindingKeys());
    }

    @Test
    void underscoresStyleWritesTheNamePartWithUnderscoresAndKeepsPetiscosStoreBindings() {
        Convention petisco2 = new Convention("alice", "petisco", NameStyle.UNDERSCORES);
        assertEquals("alice.petisco.1.event.user_created", petisco2.routingKey(userCreated));
        String queue = petisco2.handlerQueue(userCreated, HANDLER);
        assertEquals("alice.petisco.1.event.user_created.send_mail_handler", queue);
        assertEquals("retry.alice.petisco.1.event.user_created.send_mail_handler", petisco2.retryQueue(queue));
        assertEquals("dead_letter.alice.petisco.1.event.user_created.send_mail_handler", petisco2.deadLetterQueue(queue));
        assertEquals("alice.petisco.2.command.send_welcome_mail", petisco2.routingKey(MessageType.of(SendWelcomeMail.class)));
        assertEquals(List.of("*.*.*.event.*", "*.*.*.command.*"), petisco2.storeBindingKeys());
    }

    @Test
    void defaultStyleIsUnderscoresAsEveryPetiscoRelease() {
        Convention byDefault = Convention.of("alice", "petisco");
        assertEquals(NameStyle.UNDERSCORES, byDefault.style());
        assertEquals("alice.petisco.1.event.user_created.send_mail_handler", byDefault.handlerQueue(userCreated, "send_mail_handler"));
        assertEquals("user.created", NameStyle.DOTS.apply("user.created"));
        assertEquals("user_created", NameStyle.UNDERSCORES.apply("user.created"));
    }

    @Test
    void handlerQueueIsRejectedWhenItsDeadLetterQueueWouldExceed255Bytes() {
        // "dead_letter." (12) + "alice.petisco.1.event.user.created." (35) + handler: 208 characters fit exactly.
        String longest = "h".repeat(208);
        String queue = alice.handlerQueue(userCreated, longest);
        assertEquals(255, alice.deadLetterQueue(queue).length());

        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> alice.handlerQueue(userCreated, longest + "h"));
        assertTrue(error.getMessage().contains("dead-letter queue"), () -> "expected the error to name the "
                + "dead-letter queue, got: " + error.getMessage());
        assertTrue(error.getMessage().contains("256 bytes"), () -> "expected the length, got: " + error.getMessage());
    }

    @Test
    void invalidHandlerNameIsRejected() {
        assertThrows(ConfigurationException.class, () -> alice.handlerQueue(userCreated, "SendMailHandler"));
    }

    @Test
    void invalidMessageNameInARoutingKeyIsRejected() {
        assertThrows(ConfigurationException.class, () -> alice.routingKey("User.Created", 1, MessageKind.DOMAIN_EVENT));
    }

    @Test
    void organizationAndServiceMayUseHyphensAndCapitals() {
        Convention convention = Convention.of("Acme-EU", "billing_v2");
        assertEquals("Acme-EU.billing_v2.1.event.user_created", convention.routingKey(userCreated));
    }

    @Test
    void anAllMessagesHandlerHasAQueueOfItsOwnBoundForEveryEventAndCommand() {
        Convention alice = Convention.of("alice", "petisco");
        assertEquals("alice.petisco.all.statistics", alice.allMessagesQueue("statistics"));
        assertEquals(List.of("alice.petisco.*.event.#", "alice.petisco.*.command.#"), alice.allMessagesBindingKeys());
    }

    record TaskCreated(String taskId) implements Event { }

    record TaskCompleted(String taskId) implements Event { }

    @Test
    void anEndpointQueueIsOneQueueBoundWithTheKeyOfEachTypeOfItsHandler() {
        Convention petisco = Convention.of("alice", "petisco");
        Subscription board = Subscription.of("task_board", (Message<Event> m) -> { }, TaskCreated.class, TaskCompleted.class)
                .endpointQueue();
        List<Endpoint> endpoints = petisco.endpoints(board);
        assertEquals(1, endpoints.size(), endpoints::toString);
        Endpoint endpoint = endpoints.get(0);
        assertEquals("alice.petisco.endpoint.task_board", endpoint.queue());
        assertEquals(List.of(new Endpoint.Binding("alice.petisco", "alice.petisco.1.event.task_created"),
                new Endpoint.Binding("alice.petisco", "alice.petisco.1.event.task_completed")), endpoint.bindings());
        assertEquals(List.of(MessageType.of(TaskCreated.class), MessageType.of(TaskCompleted.class)), endpoint.types());
        assertTrue(!endpoint.isUntyped(), "an endpoint queue decodes its types");
    }

    @Test
    void anEndpointQueueNeverMeetsAPerTypeOrAllMessagesQueueOfTheSameHandler() {
        Convention petisco = Convention.of("alice", "petisco");
        Subscription perType = Subscription.of("task_board", (Message<Event> m) -> { }, TaskCreated.class, TaskCompleted.class);
        List<String> queues = new java.util.ArrayList<>(petisco.endpoints(perType).stream().map(Endpoint::queue).toList());
        queues.add(petisco.allMessagesQueue("task_board"));
        queues.add(petisco.endpointQueue("task_board"));
        assertEquals(4, queues.stream().distinct().count(), queues::toString);
    }

    @Test
    void anEndpointQueueFromAnotherServiceKeepsItsNameAndBindsToThePublisher() {
        Subscription board = Subscription.of("task_board", (Message<Event> m) -> { }, TaskCreated.class, TaskCompleted.class)
                .endpointQueue().from("tasks");
        Endpoint endpoint = Convention.of("alice", "board").endpoints(board).get(0);
        assertEquals("alice.board.endpoint.task_board", endpoint.queue());
        assertEquals(List.of(new Endpoint.Binding("alice.tasks", "alice.tasks.1.event.task_created"),
                new Endpoint.Binding("alice.tasks", "alice.tasks.1.event.task_completed")), endpoint.bindings());
    }

    @Test
    void aLiveEndpointQueueIsOneLiveQueueOfTheInstance() {
        Subscription board = Subscription.of("task_board", (Message<Event> m) -> { }, TaskCreated.class, TaskCompleted.class)
                .endpointQueue().live("pod_7");
        List<Endpoint> endpoints = Convention.of("alice", "petisco").endpoints(board);
        assertEquals(List.of("alice.petisco.endpoint.task_board.live.pod_7"), endpoints.stream().map(Endpoint::queue).toList());
    }

    @Test
    void storeAndAllMessagesHandlersTakeNoEndpointQueue() {
        ConfigurationException store = assertThrows(ConfigurationException.class,
                () -> Subscription.store("event_store", m -> { }).endpointQueue());
        assertTrue(store.getMessage().contains("store"), store.getMessage());
        ConfigurationException all = assertThrows(ConfigurationException.class,
                () -> Subscription.allMessages("statistics", m -> { }).endpointQueue());
        assertTrue(all.getMessage().contains("allMessages"), all.getMessage());
    }
}
