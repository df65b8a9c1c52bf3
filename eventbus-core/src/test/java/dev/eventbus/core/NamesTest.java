package dev.eventbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NamesTest {

    record UserCreated(String userId) { }
    record SendWelcomeMail(String email) implements Command { }
    record HTTPRequestFailed(int status) { }
    record UserV2Created(String userId) { }
    record IOError(String detail) { }
    record OAuth2TokenIssued(String token) { }
    record S3ObjectStored(String key) { }
    record Ping() { }
    record HTTP2Request(String path) { }
    record XMLHttpRequestSent(String url) { }
    record UserCreatedV2(String userId) { }
    record HTTPRequestDone(String url) { }
    record ABC() { }
    record Step1Done() { }
    record Order_Placed() { }

    @MessageName("h.t.t.p.request.done")
    record HTTPRequestDoneForPetisco(String url) { }

    @MessageName("http.request.failed")
    record HTTPRequestFailedOwnName(int status) { }

    @MessageName("user.registered")
    record UserSignedUp(String userId) { }

    @MessageVersion(3)
    record OrderPlaced(String orderId) { }

    @MessageName("Bad.Name")
    record BadlyNamed() { }

    static final class SendMailHandler implements MessageHandler<UserCreated> {
        @Override
        public void handle(Message<UserCreated> message) {
        }
    }

    static final class HTTPCallbackHandler implements MessageHandler<UserCreated> {
        @Override
        public void handle(Message<UserCreated> message) {
        }
    }

    static Stream<Arguments> derivedMessageNames() {
        return Stream.of(
                Arguments.of(UserCreated.class, "user.created"),
                Arguments.of(SendWelcomeMail.class, "send.welcome.mail"),
                Arguments.of(UserV2Created.class, "user.v2.created"),
                // A mixed-case brand splits where case changes, as petisco splits it; @MessageName gives "oauth2.token.issued" if wanted.
                Arguments.of(OAuth2TokenIssued.class, "o.auth2.token.issued"),
                Arguments.of(S3ObjectStored.class, "s3.object.stored"),
                Arguments.of(Ping.class, "ping"),
                Arguments.of(Step1Done.class, "step1.done"),
                Arguments.of(UserCreatedV2.class, "user.created.v2"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("derivedMessageNames")
    void derivesDottedSnakeCaseNamesFromClassNames(Class<?> type, String expected) {
        assertEquals(expected, Names.messageName(type), () -> "message name of " + type.getSimpleName());
        assertEquals(expected, Names.petiscoMessageName(type), () -> "petisco derives the same name for " + type.getSimpleName());
    }

    /** Class names petisco spells differently (every capital starts a word), with eventbus's and petisco's spelling. */
    static Stream<Arguments> acronymClassNames() {
        return Stream.of(
                Arguments.of(HTTPRequestDone.class, "http.request.done", "h.t.t.p.request.done"),
                Arguments.of(HTTPRequestFailed.class, "http.request.failed", "h.t.t.p.request.failed"),
                Arguments.of(IOError.class, "io.error", "i.o.error"),
                Arguments.of(HTTP2Request.class, "http2.request", "h.t.t.p2.request"),
                Arguments.of(XMLHttpRequestSent.class, "xml.http.request.sent", "x.m.l.http.request.sent"),
                Arguments.of(ABC.class, "abc", "a.b.c"));
    }

    @ParameterizedTest(name = "{0}: {1} vs {2}")
    @MethodSource("acronymClassNames")
    void aClassNamePetiscoSpellsDifferentlyIsRefusedNamingBothSpellingsAndTheAnnotation(Class<?> type, String ours, String petisco) {
        assertEquals(petisco, Names.petiscoMessageName(type), "petisco's spelling");
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> Names.messageName(type),
                () -> type.getSimpleName() + " must not get a name no petisco service derives");
        assertMessageContains(error, type.getName());
        assertMessageContains(error, "'" + ours + "'");
        assertMessageContains(error, "'" + petisco + "'");
        assertMessageContains(error, "@MessageName(\"" + petisco + "\")");
        assertThrows(ConfigurationException.class, () -> MessageType.of(type), "MessageType.of derives the name");
    }

    @Test
    void anAcronymClassIsRefusedAtRegistrationAndWhenWrappedForPublishing() {
        ConfigurationException registered = assertThrows(ConfigurationException.class,
                () -> new MessageRegistry().register(HTTPRequestDone.class));
        assertMessageContains(registered, "'h.t.t.p.request.done'");
        ConfigurationException wrapped = assertThrows(ConfigurationException.class, () -> Message.of(new HTTPRequestDone("/")));
        assertMessageContains(wrapped, "@MessageName(\"h.t.t.p.request.done\")");
        assertThrows(ConfigurationException.class, () -> Subscription.of(HTTPRequestDone.class, "audit", message -> { }));
    }

    @Test
    void anAcronymClassHasTheNameItIsGivenAndNoAliasUnderPetiscosSpelling() {
        assertEquals("h.t.t.p.request.done", MessageType.of(HTTPRequestDoneForPetisco.class).name());
        assertEquals("http.request.failed", MessageType.of(HTTPRequestFailedOwnName.class).name());
        MessageRegistry registry = new MessageRegistry().register(HTTPRequestDoneForPetisco.class, HTTPRequestFailedOwnName.class);
        assertEquals(Set.of(1), registry.versions("h.t.t.p.request.done"));
        assertEquals(Set.of(), registry.versions("h.t.t.p.request.failed"), "no alias under petisco's spelling of an own name");
        MessageRegistry explicit = new MessageRegistry()
                .register(new MessageType<>(HTTPRequestDone.class, "http.request.done", 1, MessageKind.DOMAIN_EVENT));
        assertEquals(Set.of(1), explicit.versions("http.request.done"));
        assertEquals(Optional.empty(), explicit.find("h.t.t.p.request.done", 1),
                "a type given its name explicitly is found under that name, not also under petisco's spelling");
        assertEquals(Set.of(), explicit.versions("h.t.t.p.request.done"));
    }

    @Test
    void aClassNameWhosePetiscoNameIsInvalidIsRefusedWithTheNameToUse() {
        assertEquals("order..placed", Names.petiscoMessageName(Order_Placed.class), "petisco turns '_' into '.' as well");
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> Names.messageName(Order_Placed.class));
        assertMessageContains(error, "'order..placed', which is not a valid message name");
        assertMessageContains(error, "@MessageName(\"order.placed\")");
    }

    @Test
    void messageNameAnnotationOverridesTheDerivedName() {
        assertEquals("user.registered", Names.messageName(UserSignedUp.class));
        assertEquals("user.registered", MessageType.of(UserSignedUp.class).name());
    }

    @Test
    void invalidMessageNameAnnotationIsRejectedNamingTheClass() {
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> Names.messageName(BadlyNamed.class));
        assertTrue(error.getMessage().contains("@MessageName on " + BadlyNamed.class.getName()),
                () -> "expected the error to name the annotated class, got: " + error.getMessage());
        assertTrue(error.getMessage().contains("'B' at index 0"), () -> "expected the bad character, got: " + error.getMessage());
    }

    @Test
    void versionIsOneByDefaultAndSetByMessageVersion() {
        assertEquals(1, MessageType.of(UserCreated.class).version());
        assertEquals(3, MessageType.of(OrderPlaced.class).version());
        assertEquals("order.placed", MessageType.of(OrderPlaced.class).name());
    }

    @Test
    void kindIsCommandForCommandsAndDomainEventOtherwise() {
        assertEquals(MessageKind.COMMAND, MessageType.of(SendWelcomeMail.class).kind());
        assertEquals(MessageKind.DOMAIN_EVENT, MessageType.of(UserCreated.class).kind());
    }

    static Stream<Arguments> petiscoNames() {
        return Stream.of(
                Arguments.of(HTTPRequestDone.class, "h.t.t.p.request.done"),
                Arguments.of(UserCreated.class, "user.created"),
                Arguments.of(SendWelcomeMail.class, "send.welcome.mail"),
                Arguments.of(UserSignedUp.class, "user.registered"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("petiscoNames")
    void derivesPetiscoNamesSplittingAcronymsLetterByLetter(Class<?> type, String expected) {
        assertEquals(expected, Names.petiscoMessageName(type), () -> "petisco name of " + type.getSimpleName());
    }

    @Test
    void derivesSnakeCaseHandlerNamesFromClassNames() {
        assertEquals("send_mail_handler", Names.handlerName(SendMailHandler.class));
        assertEquals("http_callback_handler", Names.handlerName(HTTPCallbackHandler.class));
    }

    @Test
    void derivesSnakeCaseHandlerNamesFromMethodNames() {
        assertEquals("send_welcome_mail", Names.handlerName("sendWelcomeMail"));
        assertEquals("on_http_callback", Names.handlerName("onHTTPCallback"));
        assertEquals("bill_v2", Names.handlerName("billV2"));
        assertEquals(Names.handlerName(SendMailHandler.class), Names.handlerName(SendMailHandler.class.getSimpleName()));
        assertThrows(ConfigurationException.class, () -> Names.handlerName("$"));
    }

    @Test
    void lambdaHandlerHasNoDerivableName() {
        MessageHandler<UserCreated> lambda = message -> { };
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> Names.handlerName(lambda.getClass()));
        assertTrue(error.getMessage().contains("give the handler a name"), () -> "expected a fix in: " + error.getMessage());
        assertThrows(ConfigurationException.class, () -> Subscription.of(UserCreated.class, lambda));
    }

    @Test
    void anonymousHandlerHasNoDerivableName() {
        MessageHandler<UserCreated> anonymous = new MessageHandler<>() {
            @Override
            public void handle(Message<UserCreated> message) {
            }
        };
        assertThrows(ConfigurationException.class, () -> Names.handlerName(anonymous.getClass()));
    }

    @Test
    void organizationWithADotIsRejectedNamingThePart() {
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> Convention.of("ali.ce", "petisco"));
        assertMessageContains(error, "organization 'ali.ce'");
        assertMessageContains(error, "'.' at index 3");
    }

    @Test
    void emptyServiceIsRejectedNamingThePart() {
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> Convention.of("alice", ""));
        assertMessageContains(error, "service is empty");
    }

    @Test
    void messageNameWithAnEmptyPartBetweenDotsIsRejected() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> Names.requireMessageName("user..created", "message name"));
        assertMessageContains(error, "'user..created'");
        assertMessageContains(error, "empty part between dots");
        assertThrows(ConfigurationException.class, () -> Names.requireMessageName(".user", "message name"));
        assertThrows(ConfigurationException.class, () -> Names.requireMessageName("user.", "message name"));
    }

    @Test
    void upperCaseInAMessageNameIsRejectedNamingTheCharacter() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> Names.requireMessageName("user.Created", "message name"));
        assertMessageContains(error, "'C' at index 5");
    }

    @Test
    void handlerNameWithADotIsRejected() {
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> Names.requireHandlerName("send.mail"));
        assertMessageContains(error, "handler name 'send.mail'");
        assertMessageContains(error, "'.' at index 4");
    }

    @Test
    void namesOverTheAmqpLimitAreRejectedWithTheirLength() {
        String longName = "a".repeat(256);
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> Names.requireAmqpLength(longName, "routing key"));
        assertMessageContains(error, "256 bytes");
        assertMessageContains(error, "255");
        assertEquals("a".repeat(255), Names.requireAmqpLength("a".repeat(255), "routing key"));
    }

    @Test
    void amqpLimitCountsUtf8BytesNotCharacters() {
        String name = "é".repeat(128); // 128 characters, 256 bytes
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> Names.requireAmqpLength(name, "queue"));
        assertMessageContains(error, "256 bytes");
    }

    @Test
    void organizationAndServiceOverTheLimitAreRejected() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> Convention.of("a".repeat(200), "b".repeat(60)));
        assertMessageContains(error, "exchange");
        assertMessageContains(error, "261 bytes");
    }

    private static void assertMessageContains(Exception error, String expected) {
        assertTrue(error.getMessage().contains(expected),
                () -> "expected the message to contain <" + expected + "> but was: " + error.getMessage());
    }
}
