package dev.eventbus.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.MessageCodec;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

class SchemaGeneratorTest {

    private static final ObjectMapper MAPPER = MessageCodec.defaultMapper();

    enum Plan { FREE, PRO }

    record Address(String street, String zipCode) {
    }

    record UserRegistered(UUID userId, String email, int age, long visits, double score, boolean active, Plan plan,
                          Instant registeredAt, LocalDate birthday, LocalDateTime localTime, BigDecimal balance,
                          List<String> tags, Set<Integer> luckyNumbers, String[] aliases, Map<String, Long> counters,
                          Address homeAddress, List<Address> pastAddresses, @Nullable String middleName) {
    }

    record WithOptional(String id, Optional<String> nickname) {
    }

    record TreeNode(String label, List<TreeNode> children) {
    }

    record Team(String name, List<Team> subTeams) {
    }

    record Company(String name, Team board) {
    }

    private static UserRegistered instance() {
        return new UserRegistered(UUID.fromString("6f1c2a7e-8d3b-4c1a-9e2f-0a1b2c3d4e5f"), "ada@example.com", 36, 10_000_000_000L,
                0.5, true, Plan.PRO, Instant.parse("2026-11-22T10:15:30.123456Z"), LocalDate.of(1990, 12, 10),
                LocalDateTime.of(2026, 1, 2, 3, 4, 5), new BigDecimal("12.50"), List.of("a", "b"), Set.of(7, 13),
                new String[] {"ada"}, Map.of("logins", 3L), new Address("Main St 1", "12345"),
                List.of(new Address("Old St 2", "54321")), null);
    }

    @Test
    void generatedSchemaAcceptsARealInstance() {
        MessageSchema schema = compile(UserRegistered.class);

        List<String> violations = schema.violations(orgJson(MAPPER.valueToTree(instance())));

        assertEquals(List.of(), violations, "a real instance, written by the codec's mapper, must be valid");
    }

    @Test
    void generatedSchemaRejectsABrokenInstance() {
        MessageSchema schema = compile(UserRegistered.class);
        ObjectNode broken = MAPPER.valueToTree(instance());
        broken.put("age", "thirty-six");
        broken.remove("email");
        broken.put("plan", "ENTERPRISE");
        broken.put("user_id", "nope");
        ((ObjectNode) broken.get("home_address")).put("zip_code", 12345);

        List<String> violations = schema.violations(orgJson(broken));

        assertEquals(List.of(
                "#/age: expected type: Integer, found: String",
                "#/home_address/zip_code: expected type: String, found: Integer",
                "#/plan: ENTERPRISE is not a valid enum value",
                "#/user_id: [nope] is not a valid uuid",
                "#: required key [email] not found"), violations.stream().sorted().toList());
    }

    @Test
    void namesPropertiesInSnakeCaseAndMapsJavaTypes() {
        JSONObject schema = new JSONObject(SchemaGenerator.generate(UserRegistered.class));
        JSONObject properties = schema.getJSONObject("properties");

        assertEquals(SchemaGenerator.DRAFT_07, schema.getString("$schema"));
        assertEquals("object", schema.getString("type"));
        assertFalse(schema.has("additionalProperties"), "objects are open by default");
        assertEquals("uuid", properties.getJSONObject("user_id").getString("format"));
        assertEquals("integer", properties.getJSONObject("age").getString("type"));
        assertEquals(Integer.MAX_VALUE, properties.getJSONObject("age").getInt("maximum"));
        assertEquals("number", properties.getJSONObject("score").getString("type"));
        assertEquals("boolean", properties.getJSONObject("active").getString("type"));
        assertEquals(List.of("FREE", "PRO"), properties.getJSONObject("plan").getJSONArray("enum").toList());
        assertFalse(properties.getJSONObject("registered_at").has("format"),
                "an Instant is written in petisco's format, 2026-11-22 10:15:30.123456, not RFC 3339's date-time");
        assertEquals("date", properties.getJSONObject("birthday").getString("format"));
        assertFalse(properties.getJSONObject("local_time").has("format"), "a local date-time has no RFC 3339 format");
        assertEquals("string", properties.getJSONObject("tags").getJSONObject("items").getString("type"));
        assertTrue(properties.getJSONObject("lucky_numbers").getBoolean("uniqueItems"));
        assertEquals("string", properties.getJSONObject("aliases").getJSONObject("items").getString("type"));
        assertEquals("integer", properties.getJSONObject("counters").getJSONObject("additionalProperties").getString("type"));
        assertEquals("string", properties.getJSONObject("home_address").getJSONObject("properties").getJSONObject("zip_code").getString("type"));
        assertEquals("object", properties.getJSONObject("past_addresses").getJSONObject("items").getString("type"));
    }

    @Test
    void requiresEveryPropertyButNullableAndOptionalOnes() {
        JSONObject schema = new JSONObject(SchemaGenerator.generate(UserRegistered.class));
        List<Object> required = schema.getJSONArray("required").toList();

        assertTrue(required.containsAll(List.of("user_id", "email", "age", "home_address", "tags")), () -> "required " + required);
        assertFalse(required.contains("middle_name"), () -> "@Nullable is optional, required " + required);
        assertEquals(new JSONArray(List.of("string", "null")).toList(),
                schema.getJSONObject("properties").getJSONObject("middle_name").getJSONArray("type").toList());

        JSONObject optional = new JSONObject(SchemaGenerator.generate(WithOptional.class));
        assertEquals(List.of("id"), optional.getJSONArray("required").toList());
        assertEquals(List.of("string", "null"), optional.getJSONObject("properties").getJSONObject("nickname").getJSONArray("type").toList());
    }

    @Test
    void refersToARecursiveRootTypeWithARef() {
        MessageSchema schema = compile(TreeNode.class);
        JSONObject json = schema.json();

        assertEquals("#", json.getJSONObject("properties").getJSONObject("children").getJSONObject("items").getString("$ref"));
        assertEquals(List.of(), schema.violations(orgJson(MAPPER.valueToTree(
                new TreeNode("root", List.of(new TreeNode("leaf", List.of())))))));
        assertEquals(List.of("#/children/0/label: expected type: String, found: Integer"), schema.violations(new JSONObject(
                "{\"label\": \"root\", \"children\": [{\"label\": 1, \"children\": []}]}")));
    }

    @Test
    void writesARecursiveNestedTypeOnceUnderDefinitions() {
        MessageSchema schema = compile(Company.class);
        JSONObject json = schema.json();

        assertEquals("#/definitions/Team", json.getJSONObject("properties").getJSONObject("board").getJSONObject("properties")
                .getJSONObject("sub_teams").getJSONObject("items").getString("$ref"));
        assertTrue(json.getJSONObject("definitions").has("Team"), () -> "definitions " + json.opt("definitions"));
        Company company = new Company("acme", new Team("board", List.of(new Team("audit", List.of()))));
        assertEquals(List.of(), schema.violations(orgJson(MAPPER.valueToTree(company))));
    }

    @Test
    void refusesATypeThatIsNotWrittenAsAnObject() {
        ConfigurationException failure = assertThrows(ConfigurationException.class, () -> SchemaGenerator.generate(String.class));

        assertTrue(failure.getMessage().contains("attributes are a JSON object"), failure::getMessage);
    }

    private static MessageSchema compile(Class<?> type) {
        return MessageSchema.parse(new SchemaId("test.event", 1), SchemaGenerator.generate(type), "generated for " + type.getSimpleName());
    }

    private static Object orgJson(com.fasterxml.jackson.databind.JsonNode node) {
        return JacksonToOrgJson.convert(node);
    }
}
