package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONObject;
import org.json.JSONTokener;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code eventbus topology --format asyncapi} writes AsyncAPI 3.0.0: the document validates against the official JSON
 * Schema (from npm {@code @asyncapi/specs}, test resources {@code asyncapi/}), and says what the plan says.
 */
class AsyncApiDocumentTest {

    private static final Schema ASYNCAPI_3 = load();

    private static Schema load() {
        try (InputStream in = AsyncApiDocumentTest.class.getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
            JSONObject schema = new JSONObject(new JSONTokener(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            return SchemaLoader.builder().schemaJson(schema).draftV7Support().build().load().build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode asyncApi(Class<?> plan) throws IOException {
        Cli.Run run = Cli.run("topology", "--plan", plan.getName(), "--format", "asyncapi", "--api-version", "2.1.0");
        assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
        return Output.JSON.readTree(run.out());
    }

    private static void assertValid(JsonNode document) {
        try {
            ASYNCAPI_3.validate(new JSONObject(document.toString()));
        } catch (ValidationException e) {
            fail("not a valid AsyncAPI 3.0.0 document: " + String.join("\n", e.getAllMessages()) + "\n" + document);
        }
    }

    @Test
    void aServiceWithEveryKindOfSubscriptionIsAValidAsyncApi3Document() throws IOException {
        JsonNode document = asyncApi(TestPlans.EveryKind.class);
        assertValid(document);
        assertEquals("3.0.0", document.get("asyncapi").asText());
        assertEquals("alice.cli", document.get("info").get("title").asText());
        assertEquals("2.1.0", document.get("info").get("version").asText());
        // host:port of the broker the tests use (EVENTBUS_RABBITMQ_URL, else localhost:5672), never its credentials
        String host = document.get("servers").get("rabbitmq").get("host").asText();
        assertTrue(host.matches("[^@/]+:\\d+"), host);
    }

    @Test
    void theServicesOwnMessagesAreSentOnItsExchangeWithTheirRoutingKey() throws IOException {
        JsonNode document = asyncApi(TestPlans.OneHandler.class);
        assertValid(document);
        JsonNode channel = document.get("channels").get("alice.cli.1.event.user_created");
        assertEquals("alice.cli.1.event.user_created", channel.get("address").asText());
        assertEquals("routingKey", channel.get("bindings").get("amqp").get("is").asText());
        assertEquals("alice.cli", channel.get("bindings").get("amqp").get("exchange").get("name").asText());
        assertEquals("topic", channel.get("bindings").get("amqp").get("exchange").get("type").asText());
        JsonNode send = document.get("operations").get("send_user.created_v1");
        assertEquals("send", send.get("action").asText());
        assertEquals("#/channels/alice.cli.1.event.user_created", send.get("channel").get("$ref").asText());
    }

    @Test
    void eachHandlerQueueIsAChannelWithAReceiveOperation() throws IOException {
        JsonNode document = asyncApi(TestPlans.EveryKind.class);
        String queue = "alice.cli.1.event.user_created.welcome";
        JsonNode channel = document.get("channels").get(queue);
        assertEquals("queue", channel.get("bindings").get("amqp").get("is").asText());
        assertEquals(queue, channel.get("bindings").get("amqp").get("queue").get("name").asText());
        assertTrue(channel.get("description").asText().contains("alice.accounts [alice.accounts.1.event.user_created]"),
                "the welcome handler's queue is bound to the accounts service's exchange: " + channel);
        JsonNode receive = document.get("operations").get("receive_" + queue);
        assertEquals("receive", receive.get("action").asText());
        assertEquals("#/channels/" + queue + "/messages/user.created_v1", receive.get("messages").get(0).get("$ref").asText());
        assertTrue(document.get("operations").has("receive_alice.cli.all.statistics"), document.get("operations").toString());
        assertTrue(document.get("channels").get("alice.cli.all.statistics").get("messages").has("any_message"));
    }

    @Test
    void anEndpointQueueIsOneChannelReceivingEachOfItsTypes() throws IOException {
        JsonNode document = asyncApi(TestPlans.EndpointQueue.class);
        assertValid(document);
        String queue = "alice.cli.endpoint.accounts_view";
        JsonNode messages = document.get("channels").get(queue).get("messages");
        assertTrue(messages.has("user.created_v1") && messages.has("user.deleted_v1") && messages.size() == 2,
                messages.toString());
        JsonNode receive = document.get("operations").get("receive_" + queue);
        assertEquals(2, receive.get("messages").size(), receive.toString());
    }

    @Test
    void messagesCarryTheEnvelopeWithTheJsonSchemaOfTheirAttributes() throws IOException {
        JsonNode message = asyncApi(TestPlans.OneHandler.class).get("components").get("messages").get("user.created_v1");
        assertEquals("user.created", message.get("name").asText());
        JsonNode data = message.get("payload").get("properties").get("data").get("properties");
        assertEquals("user.created", data.get("type").get("const").asText());
        assertEquals(1, data.get("version").get("const").asInt());
        JsonNode attributes = data.get("attributes");
        assertEquals("object", attributes.get("type").asText());
        assertEquals(List.of("user_id", "name", "tags"), Output.JSON.convertValue(attributes.get("required"), List.class));
        assertEquals("array", attributes.get("properties").get("tags").get("type").asText());
    }

    @Test
    void theValidatorRejectsADocumentThatIsNotAsyncApi3() throws IOException {
        ObjectNode document = (ObjectNode) asyncApi(TestPlans.OneHandler.class);
        document.remove("info");
        assertThrows(ValidationException.class, () -> ASYNCAPI_3.validate(new JSONObject(document.toString())));
        ObjectNode wrongAction = (ObjectNode) asyncApi(TestPlans.OneHandler.class);
        ((ObjectNode) wrongAction.get("operations").get("send_user.created_v1")).put("action", "publish");
        assertThrows(ValidationException.class, () -> ASYNCAPI_3.validate(new JSONObject(wrongAction.toString())),
                "AsyncAPI 2's publish is not an AsyncAPI 3 action");
    }
}
