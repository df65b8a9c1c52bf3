package dev.eventbus.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.ConfigurationException;
import java.util.List;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaCompatibilityTest {

    /** Base properties: "id" (required string) and "age" (optional integer). Quotes are written as '. */
    private static final String OPEN = "{'type':'object','properties':{'id':{'type':'string'},'age':{'type':'integer'}%s},'required':['id'%s]%s}";

    private static String open(String extraProperties, String extraRequired) {
        return OPEN.formatted(extraProperties, extraRequired, "");
    }

    private static String closed(String extraProperties, String extraRequired) {
        return OPEN.formatted(extraProperties, extraRequired, ",'additionalProperties':false");
    }

    private static final String BASE = open("", "");
    private static final String BASE_CLOSED = closed("", "");
    private static final String ONLY_ID = "{'type':'object','properties':{'id':{'type':'string'}},'required':['id']}";
    private static final String ONLY_ID_CLOSED = "{'type':'object','properties':{'id':{'type':'string'}},'required':['id'],'additionalProperties':false}";
    private static final String ONLY_AGE = "{'type':'object','properties':{'age':{'type':'integer'}}}";
    private static final String ONLY_AGE_CLOSED = "{'type':'object','properties':{'age':{'type':'integer'}},'additionalProperties':false}";

    private static String property(String name, String schema) {
        return "{'type':'object','properties':{'" + name + "':" + schema + "}}";
    }

    private static String nested(String inner) {
        return "{'type':'object','properties':{'address':{'type':'object','properties':" + inner + "}}}";
    }

    /** description, older, newer, BACKWARD verdict, FORWARD verdict, a pointer every problem list must mention (or null). */
    static Stream<Arguments> schemaPairs() {
        return Stream.of(
                row("identical schemas", BASE, BASE, true, true, null),
                row("optional field added, open model", BASE, open(",'email':{'type':'string'}", ""), true, true, null),
                row("optional field added, closed model", BASE_CLOSED, closed(",'email':{'type':'string'}", ""), true, false, "#/properties/email"),
                row("required field added without default", BASE, open(",'email':{'type':'string'}", ",'email'"), false, true, "#/properties/email"),
                row("required field added with default", BASE, open(",'email':{'type':'string','default':'none'}", ",'email'"), false, true, "#/properties/email"),
                row("required field added, closed model", BASE_CLOSED, closed(",'email':{'type':'string'}", ",'email'"), false, false, "#/properties/email"),
                row("optional field removed, open model", BASE, ONLY_ID, true, true, null),
                row("optional field removed, closed model", BASE_CLOSED, ONLY_ID_CLOSED, false, true, "#/properties/age"),
                row("required field removed, open model", BASE, ONLY_AGE, true, false, "#/properties/id"),
                row("required field removed, closed model", BASE_CLOSED, ONLY_AGE_CLOSED, false, false, "#/properties/id"),
                row("type widened integer -> number", property("age", "{'type':'integer'}"), property("age", "{'type':'number'}"), true, false, "#/properties/age"),
                row("type narrowed number -> integer", property("age", "{'type':'number'}"), property("age", "{'type':'integer'}"), false, true, "#/properties/age"),
                row("type changed string -> integer", property("age", "{'type':'string'}"), property("age", "{'type':'integer'}"), false, false, "#/properties/age"),
                row("null allowed in addition", property("name", "{'type':'string'}"), property("name", "{'type':['string','null']}"), true, false, "#/properties/name"),
                row("enum value added", property("status", "{'type':'string','enum':['A','B']}"), property("status", "{'type':'string','enum':['A','B','C']}"), true, false, "#/properties/status"),
                row("enum value removed", property("status", "{'type':'string','enum':['A','B','C']}"), property("status", "{'type':'string','enum':['A','B']}"), false, true, "#/properties/status"),
                row("required added to an existing field", BASE, open("", ",'age'"), false, true, "#/properties/age"),
                row("required removed from a field", open("", ",'age'"), BASE, true, false, "#/properties/age"),
                row("open model closed, same fields", BASE, BASE_CLOSED, true, true, null),
                row("closed model opened, same fields", BASE_CLOSED, BASE, true, true, null),
                row("free-form object closed", property("metadata", "{'type':'object'}"), property("metadata", "{'type':'object','additionalProperties':false}"), false, true, "#/properties/metadata/additionalProperties"),
                row("map values widened", property("counts", "{'type':'object','additionalProperties':{'type':'integer'}}"),
                        property("counts", "{'type':'object','additionalProperties':{'type':'number'}}"), true, false, "#/properties/counts/additionalProperties"),
                row("nested required field added", nested("{'street':{'type':'string'}}"), "{'type':'object','properties':{'address':{'type':'object','properties':"
                        + "{'street':{'type':'string'},'zip':{'type':'string'}},'required':['zip']}}}", false, true, "#/properties/address/properties/zip"),
                row("nested field type changed", nested("{'zip':{'type':'string'}}"), nested("{'zip':{'type':'integer'}}"), false, false, "#/properties/address/properties/zip"),
                row("array items widened", property("scores", "{'type':'array','items':{'type':'integer'}}"), property("scores", "{'type':'array','items':{'type':'number'}}"),
                        true, false, "#/properties/scores/items"),
                row("array items type changed", property("tags", "{'type':'array','items':{'type':'string'}}"), property("tags", "{'type':'array','items':{'type':'boolean'}}"),
                        false, false, "#/properties/tags/items"),
                row("maxLength lowered", property("name", "{'type':'string','maxLength':100}"), property("name", "{'type':'string','maxLength':10}"), false, true, "#/properties/name"),
                row("format added", property("id", "{'type':'string'}"), property("id", "{'type':'string','format':'uuid'}"), false, true, "#/properties/id"),
                row("minimum raised", property("age", "{'type':'integer','minimum':0}"), property("age", "{'type':'integer','minimum':18}"), false, true, "#/properties/age"),
                row("field moved into a $ref definition and made required",
                        "{'type':'object','definitions':{'a':{'type':'object','properties':{'zip':{'type':'string'}}}},'properties':{'address':{'$ref':'#/definitions/a'}}}",
                        "{'type':'object','definitions':{'a':{'type':'object','properties':{'zip':{'type':'string'}},'required':['zip']}},'properties':{'address':{'$ref':'#/definitions/a'}}}",
                        false, true, "#/properties/address/properties/zip"),
                row("recursive schema unchanged", "{'type':'object','properties':{'label':{'type':'string'},'children':{'type':'array','items':{'$ref':'#'}}}}",
                        "{'type':'object','properties':{'label':{'type':'string'},'children':{'type':'array','items':{'$ref':'#'}}}}", true, true, null),
                row("nullable via anyOf added", property("name", "{'type':'string'}"), property("name", "{'anyOf':[{'type':'string'},{'type':'null'}]}"), true, false, "#/properties/name"),
                row("keyword the check cannot compare changed", property("name", "{'type':'string'}"), property("name", "{'type':'string','not':{'const':'x'}}"),
                        false, true, "#/properties/name/not"));
    }

    private static Arguments row(String description, String older, String newer, boolean backward, boolean forward, String pointer) {
        return Arguments.of(description, older, newer, backward, forward, pointer);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaPairs")
    void givesTheExpectedVerdictPerMode(String description, String older, String newer, boolean backward, boolean forward, String pointer) {
        JSONObject olderJson = json(older);
        JSONObject newerJson = json(newer);
        CompatibilityResult backwardResult = SchemaCompatibility.check(olderJson, newerJson, CompatibilityMode.BACKWARD);
        CompatibilityResult forwardResult = SchemaCompatibility.check(olderJson, newerJson, CompatibilityMode.FORWARD);
        CompatibilityResult fullResult = SchemaCompatibility.check(olderJson, newerJson, CompatibilityMode.FULL);

        assertEquals(backward, backwardResult.compatible(), () -> description + ": expected BACKWARD " + backward + ", got " + backwardResult.describe());
        assertEquals(forward, forwardResult.compatible(), () -> description + ": expected FORWARD " + forward + ", got " + forwardResult.describe());
        assertEquals(backward && forward, fullResult.compatible(), () -> description + ": expected FULL " + (backward && forward) + ", got " + fullResult.describe());
        assertEquals(backwardResult.problems().size() + forwardResult.problems().size(), fullResult.problems().size(),
                () -> description + ": FULL should report the BACKWARD and FORWARD problems, got " + fullResult.problems());
        if (pointer != null) {
            assertTrue(fullResult.problems().stream().allMatch(problem -> problem.startsWith(pointer + ":")),
                    () -> description + ": expected every problem at " + pointer + ", got " + fullResult.problems());
        }
    }

    @Test
    void problemsSayWhatBreaksForWhomAndInWhichMode() {
        CompatibilityResult result = SchemaCompatibility.check(json(BASE), json(open(",'email':{'type':'string'}", ",'email'")), CompatibilityMode.BACKWARD);

        assertEquals(List.of("#/properties/email: \"email\" is required by the newer schema but not declared by the older schema,"
                + " so messages written with the older schema lack it (not BACKWARD compatible)"), result.problems());
    }

    @Test
    void checksEachSuccessiveVersionPairOfARegistry() {
        SchemaRegistry registry = SchemaRegistry.of(List.of(
                schema("user.created", 1, BASE),
                schema("user.created", 2, open(",'email':{'type':'string'}", "")),
                schema("user.created", 3, open(",'email':{'type':'integer'}", "")),
                schema("order.placed", 1, BASE)));

        CompatibilityResult result = SchemaCompatibility.checkRegistry(registry, CompatibilityMode.BACKWARD);

        assertFalse(result.compatible(), "v2 -> v3 changes email from string to integer");
        assertEquals(1, result.problems().size(), () -> "expected one problem, got " + result.problems());
        assertTrue(result.problems().get(0).startsWith("user.created v2 -> v3: #/properties/email: type changed"),
                () -> "expected the pair and the pointer first, got " + result.problems().get(0));
    }

    @Test
    void requireCompatibleThrowsWithTheProblems() {
        CompatibilityResult result = SchemaCompatibility.check(json(BASE), json(property("id", "{'type':'integer'}")), CompatibilityMode.FULL);

        ConfigurationException failure = assertThrows(ConfigurationException.class, result::requireCompatible);

        assertTrue(failure.getMessage().startsWith("not FULL compatible"), () -> "expected the mode in the message, got " + failure.getMessage());
        assertTrue(failure.getMessage().contains("#/properties/id"), () -> "expected the pointer in the message, got " + failure.getMessage());
    }

    @Test
    void classpathTestSchemasAreBackwardButNotForwardCompatible() {
        SchemaRegistry registry = SchemaRegistry.fromClasspath();

        CompatibilityResult backward = SchemaCompatibility.checkRegistry(registry, CompatibilityMode.BACKWARD);
        CompatibilityResult forward = SchemaCompatibility.checkRegistry(registry, CompatibilityMode.FORWARD);

        assertTrue(backward.compatible(), () -> "user.created v2 adds an enum value and an optional field: " + backward.describe());
        assertEquals(List.of("user.created v1 -> v2: #/properties/status: value \"BLOCKED\" is allowed by the newer schema but not by the older"
                + " schema, which allows [\"ACTIVE\",\"PENDING\"] (not FORWARD compatible)"), forward.problems());
    }

    static MessageSchema schema(String name, int version, String json) {
        return MessageSchema.parse(new SchemaId(name, version), json.replace('\'', '"'), "test " + name + "/" + version);
    }

    static JSONObject json(String singleQuoted) {
        return new JSONObject(singleQuoted.replace('\'', '"'));
    }
}
