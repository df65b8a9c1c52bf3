package dev.eventbus.schema;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.json.JSONArray;
import org.json.JSONObject;
import org.json.JSONPointer;
import org.json.JSONPointerException;

import static dev.eventbus.schema.SchemaKeywords.ANNOTATIONS;
import static dev.eventbus.schema.SchemaKeywords.accepts;
import static dev.eventbus.schema.SchemaKeywords.constrainsNothing;
import static dev.eventbus.schema.SchemaKeywords.describe;
import static dev.eventbus.schema.SchemaKeywords.escape;
import static dev.eventbus.schema.SchemaKeywords.merge;
import static dev.eventbus.schema.SchemaKeywords.number;
import static dev.eventbus.schema.SchemaKeywords.object;
import static dev.eventbus.schema.SchemaKeywords.properties;
import static dev.eventbus.schema.SchemaKeywords.render;
import static dev.eventbus.schema.SchemaKeywords.same;
import static dev.eventbus.schema.SchemaKeywords.strings;
import static dev.eventbus.schema.SchemaKeywords.types;
import static dev.eventbus.schema.SchemaKeywords.values;
import static dev.eventbus.schema.SchemaKeywords.without;

/**
 * Decides whether every message a <em>writer</em> schema lets producers write is accepted by a
 * <em>reader</em> schema, and says where and why not. BACKWARD is "newer reads older", FORWARD is
 * "older reads newer". The rules are listed in {@code docs/schemas.md}; the one assumption beyond plain
 * JSON Schema is the content model of objects:
 * <ul>
 *   <li>an object schema that declares {@code properties} describes a record: its writers write only
 *       the declared properties (true of eventbus publishers, which serialise a Java type), so an open
 *       reader ({@code additionalProperties} absent or {@code true}) tolerates what it does not declare
 *       and a closed reader ({@code additionalProperties: false}) rejects it;</li>
 *   <li>an object schema without {@code properties}, or whose {@code additionalProperties} is a schema,
 *       describes a free-form object or map: its writers may write any key.</li>
 * </ul>
 * Single use, not thread-safe: {@link SchemaCompatibility} makes one per direction.
 */
final class ReadabilityCheck {

    /** Keywords this check reasons about; any other keyword of the reader must be identical in the writer. */
    private static final Set<String> COMPARED = Set.of("type", "enum", "const", "$ref", "allOf", "anyOf", "oneOf",
            "properties", "required", "additionalProperties", "items", "format", "minLength", "maxLength", "pattern",
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems");
    private static final int MAX_DEPTH = 200;

    /** A subschema and where it sits in its document (null for one assembled by this check). */
    private record Node(Object json, String at) {
    }

    private final JSONObject readerRoot;
    private final JSONObject writerRoot;
    private final String reader;
    private final String writer;
    private final String verdict;
    private final Set<String> inProgress = new HashSet<>();
    private List<String> problems = new ArrayList<>();
    private int depth;

    private ReadabilityCheck(JSONObject readerRoot, JSONObject writerRoot, String reader, String writer, String verdict) {
        this.readerRoot = readerRoot;
        this.writerRoot = writerRoot;
        this.reader = reader;
        this.writer = writer;
        this.verdict = verdict;
    }

    /**
     * The problems that stop {@code reader} from accepting everything {@code writer} allows.
     *
     * @param reader      how problems name the reader, e.g. "the newer schema"
     * @param writer      how problems name the writer, e.g. "the older schema"
     * @param verdict     appended to each problem, e.g. "not BACKWARD compatible"
     */
    static List<String> problems(JSONObject readerRoot, JSONObject writerRoot, String reader, String writer, String verdict) {
        ReadabilityCheck check = new ReadabilityCheck(readerRoot, writerRoot, reader, writer, verdict);
        check.check(new Node(readerRoot, "#"), new Node(writerRoot, "#"), "#");
        return List.copyOf(new LinkedHashSet<>(check.problems));
    }

    private void check(Node r, Node w, String at) {
        Node rr = resolve(r, readerRoot, "{reader}", at);
        Node ww = resolve(w, writerRoot, "{writer}", at);
        String key = rr.at() != null && ww.at() != null ? rr.at() + " | " + ww.at() : null;
        if (depth > MAX_DEPTH || (key != null && !inProgress.add(key))) {
            return; // a recursive schema met again: the pair is already being compared further up
        }
        depth++;
        try {
            compare(rr, ww, at);
        } finally {
            depth--;
            if (key != null) {
                inProgress.remove(key);
            }
        }
    }

    private void compare(Node r, Node w, String at) {
        if (Boolean.FALSE.equals(w.json())) {
            return;
        }
        if (Boolean.FALSE.equals(r.json())) {
            problem(at, "{reader} accepts no value here, {writer} does");
            return;
        }
        JSONObject rs = object(r.json());
        JSONObject ws = object(w.json());
        if (constrainsNothing(rs)) {
            return;
        }
        for (String alternatives : List.of("anyOf", "oneOf")) {
            if (ws.optJSONArray(alternatives) != null) {
                JSONObject base = without(ws, alternatives);
                JSONArray branches = ws.getJSONArray(alternatives);
                for (int i = 0; i < branches.length(); i++) {
                    Object branch = resolve(new Node(branches.get(i), null), writerRoot, "{writer}", at).json();
                    check(r, new Node(merge(base, object(branch)), null), at);
                }
                return;
            }
        }
        if (ws.optJSONArray("allOf") != null) {
            JSONObject merged = without(ws, "allOf");
            JSONArray branches = ws.getJSONArray("allOf");
            for (int i = 0; i < branches.length(); i++) {
                merged = merge(merged, object(resolve(new Node(branches.get(i), null), writerRoot, "{writer}", at).json()));
            }
            check(r, new Node(merged, null), at);
            return;
        }
        if (rs.optJSONArray("allOf") != null) {
            check(new Node(without(rs, "allOf"), null), w, at);
            JSONArray branches = rs.getJSONArray("allOf");
            for (int i = 0; i < branches.length(); i++) {
                check(new Node(branches.get(i), child(r.at(), "/allOf/" + i)), w, at);
            }
            return;
        }
        for (String alternatives : List.of("anyOf", "oneOf")) {
            if (rs.optJSONArray(alternatives) != null) {
                readByOneOf(rs, alternatives, w, at);
                return;
            }
        }
        comparePlain(r, rs, w, ws, at);
    }

    /** The writer must be readable by at least one alternative of the reader ({@code oneOf} exclusivity is not checked). */
    private void readByOneOf(JSONObject rs, String alternatives, Node w, String at) {
        JSONObject base = without(rs, alternatives);
        JSONArray branches = rs.getJSONArray(alternatives);
        List<String> saved = problems;
        List<String> closest = null;
        try {
            for (int i = 0; i < branches.length(); i++) {
                problems = new ArrayList<>();
                Object branch = resolve(new Node(branches.get(i), null), readerRoot, "{reader}", at).json();
                check(new Node(merge(base, object(branch)), null), w, at);
                if (problems.isEmpty()) {
                    return;
                }
                if (closest == null || problems.size() < closest.size()) {
                    closest = problems;
                }
            }
        } finally {
            problems = saved;
        }
        if (closest == null) {
            problem(at, "{reader} has an empty " + alternatives + ", which accepts nothing, {writer} writes values here");
        } else {
            problems.addAll(closest);
        }
    }

    private void comparePlain(Node r, JSONObject rs, Node w, JSONObject ws, String at) {
        for (String keyword : new TreeSet<>(rs.keySet())) {
            if (!ANNOTATIONS.contains(keyword) && !COMPARED.contains(keyword) && !same(rs.opt(keyword), ws.opt(keyword))) {
                problem(at + "/" + escape(keyword), "keyword \"" + keyword + "\" of {reader} differs from {writer} and this check cannot"
                        + " compare it; keep it identical in both versions or review the change by hand");
            }
        }
        Set<String> readerTypes = types(rs);
        Set<String> writerTypes = types(ws);
        Set<String> shared = new LinkedHashSet<>();
        Set<String> rejected = new LinkedHashSet<>();
        for (String type : writerTypes) {
            (accepts(readerTypes, type) ? shared : rejected).add(type);
        }
        if (!rejected.isEmpty()) {
            typeProblem(ws, readerTypes, writerTypes, rejected, at);
        }
        if (compareValues(rs, ws, writerTypes, at)) {
            return;
        }
        if (shared.contains("string")) {
            compareString(rs, ws, at);
        }
        if (shared.contains("integer") || shared.contains("number")) {
            compareNumber(rs, ws, at);
        }
        if (shared.contains("array")) {
            compareArray(r, rs, w, ws, at);
        }
        if (shared.contains("object")) {
            compareObject(r, rs, w, ws, at);
        }
    }

    private void typeProblem(JSONObject ws, Set<String> readerTypes, Set<String> writerTypes, Set<String> rejected, String at) {
        if (!ws.has("type") && !ws.has("enum") && !ws.has("const")) {
            problem(at, "{writer} does not restrict the type here, {reader} accepts only " + describe(readerTypes));
        } else if (rejected.equals(Set.of("number")) && readerTypes.contains("integer")) {
            problem(at, "type narrowed from number to integer: {writer} allows fractional numbers, {reader} accepts only integers");
        } else if (rejected.equals(Set.of("null"))) {
            problem(at, "{writer} allows null here, {reader} does not");
        } else {
            problem(at, "type changed: {writer} allows " + describe(writerTypes) + ", {reader} accepts " + describe(readerTypes)
                    + ", so " + describe(rejected) + " values are rejected");
        }
    }

    /** Compares enum/const; true when the writer's values are enumerated, which ends the comparison here. */
    private boolean compareValues(JSONObject rs, JSONObject ws, Set<String> writerTypes, String at) {
        List<Object> readerValues = values(rs);
        List<Object> writerValues = values(ws);
        if (readerValues != null) {
            if (writerValues == null) {
                problem(at, "{reader} allows only the values " + render(readerValues) + ", {writer} allows any "
                        + describe(writerTypes) + " value");
                return true;
            }
            for (Object value : writerValues) {
                if (readerValues.stream().noneMatch(allowed -> same(allowed, value))) {
                    problem(at, "value " + JSONObject.valueToString(value) + " is allowed by {writer} but not by {reader}, which allows "
                            + render(readerValues));
                }
            }
        }
        return writerValues != null;
    }

    private void compareString(JSONObject rs, JSONObject ws, String at) {
        String readerFormat = rs.optString("format", null);
        String writerFormat = ws.optString("format", null);
        if (readerFormat != null && !readerFormat.equals(writerFormat)) {
            problem(at, writerFormat == null
                    ? "{reader} requires format \"" + readerFormat + "\", {writer} has no format"
                    : "format changed: {writer} has \"" + writerFormat + "\", {reader} requires \"" + readerFormat + "\"");
        }
        BigDecimal readerMax = number(rs, "maxLength");
        BigDecimal writerMax = number(ws, "maxLength");
        if (readerMax != null && (writerMax == null || writerMax.compareTo(readerMax) > 0)) {
            problem(at, "{reader} allows at most " + readerMax + " characters, {writer} allows "
                    + (writerMax == null ? "any length" : writerMax));
        }
        BigDecimal readerMin = number(rs, "minLength");
        BigDecimal writerMin = number(ws, "minLength");
        if (readerMin != null && readerMin.signum() > 0 && (writerMin == null || writerMin.compareTo(readerMin) < 0)) {
            problem(at, "{reader} requires at least " + readerMin + " characters, {writer} allows "
                    + (writerMin == null ? "fewer" : writerMin));
        }
        String readerPattern = rs.optString("pattern", null);
        String writerPattern = ws.optString("pattern", null);
        if (readerPattern != null && !readerPattern.equals(writerPattern)) {
            problem(at, "{reader} requires the pattern " + JSONObject.quote(readerPattern) + ", {writer} has "
                    + (writerPattern == null ? "none" : JSONObject.quote(writerPattern)));
        }
    }

    /** A numeric bound: its value and whether the bound itself is excluded. */
    private record Bound(BigDecimal value, boolean exclusive) {
    }

    private void compareNumber(JSONObject rs, JSONObject ws, String at) {
        Bound readerLow = bound(rs, "minimum", "exclusiveMinimum", 1);
        Bound writerLow = bound(ws, "minimum", "exclusiveMinimum", 1);
        if (readerLow != null && (writerLow == null || tighter(readerLow, writerLow, 1))) {
            problem(at, "{reader} requires values " + (readerLow.exclusive() ? "> " : ">= ") + readerLow.value() + ", {writer} allows "
                    + (writerLow == null ? "any lower value" : "values " + (writerLow.exclusive() ? "> " : ">= ") + writerLow.value()));
        }
        Bound readerHigh = bound(rs, "maximum", "exclusiveMaximum", -1);
        Bound writerHigh = bound(ws, "maximum", "exclusiveMaximum", -1);
        if (readerHigh != null && (writerHigh == null || tighter(readerHigh, writerHigh, -1))) {
            problem(at, "{reader} requires values " + (readerHigh.exclusive() ? "< " : "<= ") + readerHigh.value() + ", {writer} allows "
                    + (writerHigh == null ? "any higher value" : "values " + (writerHigh.exclusive() ? "< " : "<= ") + writerHigh.value()));
        }
        BigDecimal readerStep = number(rs, "multipleOf");
        BigDecimal writerStep = number(ws, "multipleOf");
        if (readerStep != null && readerStep.signum() > 0) {
            boolean integersOnly = types(ws).stream().noneMatch("number"::equals);
            boolean divides = writerStep != null && writerStep.remainder(readerStep).signum() == 0;
            boolean trivial = integersOnly && BigDecimal.ONE.remainder(readerStep).signum() == 0;
            if (!divides && !trivial) {
                problem(at, "{reader} requires multiples of " + readerStep + ", {writer} allows "
                        + (writerStep == null ? "any value" : "multiples of " + writerStep));
            }
        }
    }

    /** The tightest lower (direction 1) or upper (direction -1) bound of a schema, or null if it has none. */
    private static Bound bound(JSONObject schema, String inclusiveKey, String exclusiveKey, int direction) {
        BigDecimal inclusive = number(schema, inclusiveKey);
        Object exclusive = schema.opt(exclusiveKey);
        Bound result = inclusive == null ? null : new Bound(inclusive, false);
        if (Boolean.TRUE.equals(exclusive) && result != null) {
            return new Bound(inclusive, true); // draft-04 style: the boolean makes "minimum"/"maximum" exclusive
        }
        BigDecimal exclusiveValue = number(schema, exclusiveKey);
        if (exclusiveValue != null) {
            Bound candidate = new Bound(exclusiveValue, true);
            if (result == null || tighter(candidate, result, direction)) {
                result = candidate;
            }
        }
        return result;
    }

    /** Whether bound {@code a} excludes values that bound {@code b} allows. */
    private static boolean tighter(Bound a, Bound b, int direction) {
        int order = a.value().compareTo(b.value()) * direction;
        return order > 0 || (order == 0 && a.exclusive() && !b.exclusive());
    }

    private void compareArray(Node r, JSONObject rs, Node w, JSONObject ws, String at) {
        Object readerItems = rs.opt("items");
        Object writerItems = ws.opt("items");
        if (readerItems instanceof JSONArray || writerItems instanceof JSONArray) {
            if (!same(readerItems, writerItems)) {
                problem(at + "/items", "tuple items (an array of schemas) differ between {writer} and {reader}; this check accepts only"
                        + " identical tuples, review the change by hand");
            }
        } else if (readerItems != null) {
            check(new Node(readerItems, child(r.at(), "/items")),
                    new Node(writerItems == null ? Boolean.TRUE : writerItems, writerItems == null ? null : child(w.at(), "/items")),
                    at + "/items");
        }
        BigDecimal readerMin = number(rs, "minItems");
        BigDecimal writerMin = number(ws, "minItems");
        if (readerMin != null && readerMin.signum() > 0 && (writerMin == null || writerMin.compareTo(readerMin) < 0)) {
            problem(at, "{reader} requires at least " + readerMin + " items, {writer} allows " + (writerMin == null ? "fewer" : writerMin));
        }
        BigDecimal readerMax = number(rs, "maxItems");
        BigDecimal writerMax = number(ws, "maxItems");
        if (readerMax != null && (writerMax == null || writerMax.compareTo(readerMax) > 0)) {
            problem(at, "{reader} allows at most " + readerMax + " items, {writer} allows " + (writerMax == null ? "any number" : writerMax));
        }
        if (rs.optBoolean("uniqueItems") && !ws.optBoolean("uniqueItems")) {
            problem(at, "{reader} requires unique items, {writer} allows duplicates");
        }
    }

    private void compareObject(Node r, JSONObject rs, Node w, JSONObject ws, String at) {
        JSONObject readerProperties = properties(rs);
        JSONObject writerProperties = properties(ws);
        Set<String> readerRequired = strings(rs.optJSONArray("required"));
        Set<String> writerRequired = strings(ws.optJSONArray("required"));
        Object readerExtra = rs.opt("additionalProperties");
        Object writerExtra = ws.opt("additionalProperties");
        boolean readerClosed = Boolean.FALSE.equals(readerExtra);
        boolean writerFreeForm = (!ws.has("properties") && !Boolean.FALSE.equals(writerExtra))
                || (writerExtra instanceof JSONObject extra && !constrainsNothing(extra));

        for (String name : new TreeSet<>(readerRequired)) {
            if (!writerRequired.contains(name)) {
                problem(at + "/properties/" + escape(name), writerProperties.has(name)
                        ? "\"" + name + "\" is required by {reader} but optional in {writer}, so messages written with {writer} may lack it"
                        : "\"" + name + "\" is required by {reader} but not declared by {writer}, so messages written with {writer} lack it");
            }
        }
        for (String name : new TreeSet<>(writerProperties.keySet())) {
            String sub = at + "/properties/" + escape(name);
            Node written = new Node(writerProperties.get(name), child(w.at(), "/properties/" + escape(name)));
            Object pattern = patternSchema(rs, name);
            if (readerProperties.has(name)) {
                check(new Node(readerProperties.get(name), child(r.at(), "/properties/" + escape(name))), written, sub);
            } else if (pattern != null) {
                check(new Node(pattern, null), written, sub);
            } else if (readerClosed) {
                problem(sub, "\"" + name + "\" is declared by {writer}, so its messages may carry it, but {reader} does not declare it"
                        + " and is closed (additionalProperties: false)");
            } else if (readerExtra instanceof JSONObject) {
                check(new Node(readerExtra, child(r.at(), "/additionalProperties")), written, sub);
            }
        }
        if (!writerFreeForm) {
            return;
        }
        Node undeclared = writerExtra instanceof JSONObject
                ? new Node(writerExtra, child(w.at(), "/additionalProperties")) : new Node(Boolean.TRUE, null);
        for (String name : new TreeSet<>(readerProperties.keySet())) {
            if (!writerProperties.has(name)) {
                check(new Node(readerProperties.get(name), child(r.at(), "/properties/" + escape(name))), undeclared,
                        at + "/properties/" + escape(name));
            }
        }
        if (readerClosed) {
            problem(at + "/additionalProperties", "{writer} allows properties it does not declare (a free-form object or map),"
                    + " {reader} is closed (additionalProperties: false) and rejects them");
        } else if (readerExtra instanceof JSONObject) {
            check(new Node(readerExtra, child(r.at(), "/additionalProperties")), undeclared, at + "/additionalProperties");
        }
    }

    private static Object patternSchema(JSONObject schema, String name) {
        JSONObject patterns = schema.optJSONObject("patternProperties");
        if (patterns == null) {
            return null;
        }
        for (String regex : new TreeSet<>(patterns.keySet())) {
            try {
                if (Pattern.compile(regex).matcher(name).find()) {
                    return patterns.get(regex);
                }
            } catch (PatternSyntaxException e) {
                return null;
            }
        }
        return null;
    }

    /** Follows local {@code $ref}s ({@code #...}) to the schema they point at; {@code side} names the document in problems. */
    private Node resolve(Node node, JSONObject root, String side, String at) {
        Node current = node;
        for (int hops = 0; current.json() instanceof JSONObject schema && schema.opt("$ref") instanceof String ref; hops++) {
            if (hops > 32) {
                problem(at, "$ref " + ref + " of " + side + " goes round in a circle");
                return new Node(Boolean.TRUE, null);
            }
            Object target = null;
            if (ref.startsWith("#")) {
                try {
                    target = ref.equals("#") ? root : new JSONPointer(ref).queryFrom(root);
                } catch (JSONPointerException | IllegalArgumentException e) {
                    target = null;
                }
            }
            if (!(target instanceof JSONObject) && !(target instanceof Boolean)) {
                problem(at, "$ref " + ref + " of " + side + " does not point at a schema in the same document");
                return new Node(Boolean.TRUE, null);
            }
            current = new Node(target, ref);
        }
        return current;
    }

    private void problem(String at, String text) {
        problems.add(at + ": " + text.replace("{reader}", reader).replace("{writer}", writer) + " (" + verdict + ")");
    }

    private static String child(String at, String suffix) {
        return at == null ? null : at + suffix;
    }
}
