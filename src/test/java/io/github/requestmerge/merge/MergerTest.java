package io.github.requestmerge.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.merge.MergeRules.NullValues;
import io.github.requestmerge.merge.Merger.Outcome;

class MergerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "requests/0";
    private static final long T0 = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();

    private final Merger merger = new Merger(MergeRules.defaults(), new StringPool(1000, 64));
    private final StateJson stateJson = new StateJson(MergeRules.defaults(), StringPool.none());
    private long nextOffset;

    @Test
    void issueExampleMergesIntoOneDocument() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"id\":\"abc123\",\"source\":2,\"ipaddress\":\"203.0.113.7\",\"useragent\":\"Mozilla/5.0\","
            + "\"domain\":\"somewhere.net\",\"clicks\":\"+1\",\"impressions\":\"+5\",\"price\":2.45}", T0);
        apply(state, "{\"id\":\"abc123\",\"clicks\":\"+3\",\"impressions\":\"+2\"}", T0 + 1000);
        apply(state, "{\"id\":\"abc123\",\"impressions\":\"+2\",\"uptick\":4.50}", T0 + 2000);

        JsonNode document = JSON.readTree(stateJson.write(state));
        JsonNode expected = JSON.readTree("{\"id\":\"abc123\",\"source\":2,\"ipaddress\":\"203.0.113.7\","
            + "\"useragent\":\"Mozilla/5.0\",\"domain\":\"somewhere.net\",\"clicks\":4,\"impressions\":9,\"price\":2.45,"
            + "\"uptick\":4.5,\"created_at\":\"2026-11-27T10:00:00Z\",\"updated_at\":\"2026-11-27T10:00:02Z\","
            + "\"_merge\":{\"offsets\":{\"requests/0\":2}}}");
        assertEquals(expected, document);
    }

    @Test
    void deltasAddToAbsentAsZeroAndStayIntegers() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"clicks\":\"+3\"}");
        apply(state, "{\"clicks\":\"-1\"}");
        apply(state, "{\"clicks\":\"+0\"}");
        assertEquals(2L, state.fields().get("clicks"));
    }

    @Test
    void decimalDeltasAddExactly() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"revenue\":\"+0.1\"}");
        apply(state, "{\"revenue\":\"+0.2\"}");
        assertEquals(0, new BigDecimal("0.3").compareTo((BigDecimal) state.fields().get("revenue")));
        apply(state, "{\"revenue\":\"-0.30\"}");
        assertEquals(0, BigDecimal.ZERO.compareTo((BigDecimal) state.fields().get("revenue")));
    }

    @Test
    void deltaOnAFloatingScalarIsExactInItsDecimalForm() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"price\":2.45}");
        apply(state, "{\"price\":\"+0.1\"}");
        assertEquals(new BigDecimal("2.55"), state.fields().get("price"));
    }

    @Test
    void integerOverflowIsAConflictNotAWrap() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"clicks\":\"+9223372036854775807\"}");
        MergeConflictException e = assertThrows(MergeConflictException.class, () -> apply(state, "{\"clicks\":\"+1\"}"));
        assertEquals("clicks", e.fieldPath());
        assertTrue(e.getMessage().contains("overflow"), e.getMessage());
        assertEquals(Long.MAX_VALUE, state.fields().get("clicks"));
    }

    @Test
    void hugeIntegerDeltasStayExact() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"big\":\"+123456789012345678901234567890\"}");
        apply(state, "{\"big\":\"+1\"}");
        assertEquals(new BigDecimal("123456789012345678901234567891"), state.fields().get("big"));
    }

    @Test
    void deltaOnAStringRejectsTheWholeEventAndKeepsNothingOfIt() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"status\":\"new\",\"clicks\":\"+1\",\"nested\":{\"a\":1}}", T0);
        String before = new String(stateJson.write(state));
        MergeConflictException e = assertThrows(MergeConflictException.class, () -> apply(state,
            "{\"clicks\":\"+5\",\"domain\":\"x.net\",\"nested\":{\"b\":2,\"c\":{\"d\":\"+1\"}},\"status\":\"+1\"}",
            T0 - 5000));
        assertEquals("status", e.fieldPath());
        assertTrue(e.getMessage().contains("delta +1 on a field holding a string"), e.getMessage());
        assertEquals(before, new String(stateJson.write(state)), "state must keep nothing of a rejected event");
    }

    @Test
    void conflictsInNestedObjectsNameTheFullPath() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"stats\":{\"page\":{\"views\":\"home\"}}}");
        MergeConflictException e = assertThrows(MergeConflictException.class,
            () -> apply(state, "{\"stats\":{\"page\":{\"views\":\"+1\"}}}"));
        assertEquals("stats.page.views", e.fieldPath());
    }

    @Test
    void nestedObjectsMergeRecursivelyWithTheSameRules() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"geo\":{\"country\":\"DE\",\"city\":\"Berlin\"},\"stats\":{\"clicks\":\"+1\"}}");
        apply(state, "{\"geo\":{\"city\":\"Hamburg\",\"location\":{\"lat\":53.5,\"lon\":10.0}},\"stats\":{\"clicks\":\"+2\"}}");
        assertEquals(JSON.readTree("{\"country\":\"DE\",\"city\":\"Hamburg\",\"location\":{\"lat\":53.5,\"lon\":10.0}}"),
            document(state).get("geo"));
        assertEquals(3, document(state).at("/stats/clicks").asInt());
    }

    @Test
    void arraysReplaceByDefault() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"tags\":[\"a\",\"b\"]}");
        apply(state, "{\"tags\":[\"c\"]}");
        assertEquals(List.of("c"), state.fields().get("tags"));
    }

    @Test
    void appendAndUnionRulesGrowArrays() throws Exception {
        Merger withRules = new Merger(MergeRules.builder().rule("pages", FieldRule.APPEND).rule("tags", FieldRule.UNION)
            .build(), StringPool.none());
        MergedState state = new MergedState();
        withRules.apply(state, event("{\"pages\":[\"/\",\"/a\"],\"tags\":[\"x\"]}", T0));
        withRules.apply(state, event("{\"pages\":\"/a\",\"tags\":[\"x\",\"y\"]}", T0));
        assertEquals(List.of("/", "/a", "/a"), state.fields().get("pages"));
        assertEquals(List.of("x", "y"), state.fields().get("tags"));
    }

    @Test
    void otherScalarsAreLastWriteWins() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"status\":\"new\",\"score\":1,\"ok\":true,\"geo\":{\"a\":1}}");
        apply(state, "{\"status\":\"sold\",\"score\":2.5,\"ok\":false,\"geo\":\"none\"}");
        assertEquals("sold", state.fields().get("status"));
        assertEquals(2.5, state.fields().get("score"));
        assertEquals(false, state.fields().get("ok"));
        assertEquals("none", state.fields().get("geo"));
    }

    @Test
    void unsignedNumericStringsAreNotDeltas() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"zip\":\"02134\",\"version\":\"1.2.3\",\"odd\":\"+1e3\",\"sign\":\"+\"}");
        apply(state, "{\"zip\":\"10115\"}");
        assertEquals("10115", state.fields().get("zip"));
        assertEquals("+1e3", state.fields().get("odd"));
        assertEquals("+", state.fields().get("sign"));
    }

    @Test
    void nullsAreIgnoredByDefault() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"status\":\"new\"}");
        apply(state, "{\"status\":null}");
        assertEquals("new", state.fields().get("status"));
    }

    @Test
    void nullsRemoveTheFieldWhenConfigured() throws Exception {
        Merger removing = new Merger(MergeRules.builder().nullValues(NullValues.REMOVE).build(), StringPool.none());
        MergedState state = new MergedState();
        removing.apply(state, event("{\"status\":\"new\",\"geo\":{\"city\":\"Berlin\",\"zip\":\"1\"}}", T0));
        removing.apply(state, event("{\"status\":null,\"geo\":{\"zip\":null}}", T0));
        assertNull(state.fields().get("status"));
        assertEquals(JSON.readTree("{\"geo\":{\"city\":\"Berlin\"}}"), ((com.fasterxml.jackson.databind.node.ObjectNode) document(state))
            .without(List.of("created_at", "updated_at", "_merge")));
    }

    @Test
    void fieldRulesApplyByPath() throws Exception {
        Merger withRules = new Merger(MergeRules.builder()
            .rule("total", FieldRule.SUM).rule("first_page", FieldRule.FIRST).rule("stats.min_rt", FieldRule.MIN)
            .rule("stats.max_rt", FieldRule.MAX).rule("secret", FieldRule.IGNORE).rule("note", FieldRule.LAST)
            .rule("attrs", FieldRule.LAST).build(), StringPool.none());
        MergedState state = new MergedState();
        withRules.apply(state, event("{\"total\":5,\"first_page\":\"/a\",\"stats\":{\"min_rt\":20,\"max_rt\":20},"
            + "\"secret\":\"x\",\"note\":\"hi\",\"attrs\":{\"a\":1,\"b\":2}}", T0));
        withRules.apply(state, event("{\"total\":\"+2.5\",\"first_page\":\"/b\",\"stats\":{\"min_rt\":7,\"max_rt\":7},"
            + "\"secret\":\"y\",\"note\":\"+1\",\"attrs\":{\"c\":3}}", T0));
        withRules.apply(state, event("{\"total\":3,\"stats\":{\"min_rt\":9.5,\"max_rt\":31}}", T0));
        Node fields = state.fields();
        assertEquals(new BigDecimal("10.5"), fields.get("total"));
        assertEquals("/a", fields.get("first_page"));
        assertEquals(7L, ((Node) fields.get("stats")).get("min_rt"));
        assertEquals(31L, ((Node) fields.get("stats")).get("max_rt"));
        assertNull(fields.get("secret"));
        assertEquals("+1", fields.get("note"), "last keeps a delta string as a string");
        assertEquals(JSON.readTree("{\"c\":3}"), document(state).get("attrs"), "last replaces objects whole");
    }

    @Test
    void sumRuleRejectsNonNumbers() {
        Merger withRules = new Merger(MergeRules.builder().rule("total", FieldRule.SUM).build(), StringPool.none());
        MergeConflictException e = assertThrows(MergeConflictException.class,
            () -> withRules.apply(new MergedState(), event("{\"total\":\"lots\"}", T0)));
        assertEquals("total", e.fieldPath());
    }

    @Test
    void minRuleRejectsIncomparableValues() throws Exception {
        Merger withRules = new Merger(MergeRules.builder().rule("rt", FieldRule.MIN).build(), StringPool.none());
        MergedState state = new MergedState();
        withRules.apply(state, event("{\"rt\":3}", T0));
        assertThrows(MergeConflictException.class, () -> withRules.apply(state, event("{\"rt\":\"fast\"}", T0)));
        assertEquals(3L, state.fields().get("rt"));
    }

    @Test
    void createdAndUpdatedAreEarliestAndLatestWhateverTheOrder() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"a\":1}", T0 + 5000);
        apply(state, "{\"a\":2}", T0);
        apply(state, "{\"a\":3}", T0 + 2000);
        assertEquals(T0, state.createdAt());
        assertEquals(T0 + 5000, state.updatedAt());
        assertEquals(3L, state.fields().get("a"), "values are last by offset, not by time");
    }

    @Test
    void replayedEventIsNotCountedTwice() throws Exception {
        MergedState state = new MergedState();
        Event first = event("{\"clicks\":\"+3\"}", T0);
        Event second = event("{\"clicks\":\"+4\"}", T0);
        assertEquals(Outcome.MERGED, merger.apply(state, first));
        assertEquals(Outcome.MERGED, merger.apply(state, second));
        assertEquals(Outcome.DUPLICATE, merger.apply(state, first));
        assertEquals(Outcome.DUPLICATE, merger.apply(state, second));
        assertEquals(7L, state.fields().get("clicks"));
        assertEquals(Outcome.MERGED, merger.apply(state, new Event("x", first.fields(), T0, "requests/1", 0)),
            "marks are per source partition");
        assertEquals(10L, state.fields().get("clicks"));
    }

    @Test
    void marksSurviveTheStoredForm() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"clicks\":\"+3\",\"price\":0.1}", T0);
        apply(state, "{\"clicks\":\"+1\",\"revenue\":\"+0.25\",\"cost\":1.0,\"margin\":\"+2.50\"}", T0 + 10);
        MergedState reread = new StateJson(MergeRules.defaults(), StringPool.none())
            .read(StateJson.READER.readTree(stateJson.write(state)));
        assertEquals(new String(stateJson.write(state)), new String(stateJson.write(reread)));
        assertEquals(Outcome.DUPLICATE, merger.apply(reread, new Event("x", Map.of("clicks", "+1"), T0, SOURCE, 1)));
        assertEquals(T0, reread.createdAt());
        assertEquals(T0 + 10, reread.updatedAt());
    }

    @Test
    void eventsCannotOverwriteTheFieldsTheMergeWrites() throws Exception {
        MergedState state = new MergedState();
        apply(state, "{\"created_at\":\"1999-01-01T00:00:00Z\",\"_merge\":{\"offsets\":{\"requests/0\":999}},\"a\":1}", T0);
        JsonNode document = document(state);
        assertEquals("2026-11-27T10:00:00Z", document.get("created_at").asText());
        assertEquals(0, document.at("/_merge/offsets/requests~10").asInt());
    }

    @Test
    void fieldNamesAndRepeatedValuesAreShared() throws Exception {
        StringPool pool = new StringPool(100, 64);
        Merger pooled = new Merger(MergeRules.defaults(), pool);
        MergedState one = new MergedState();
        MergedState two = new MergedState();
        pooled.apply(one, event("{\"domain\":\"somewhere.net\"}", T0));
        pooled.apply(two, event("{\"domain\":\"somewhere.net\"}", T0));
        assertSame(one.fields().get("domain"), two.fields().get("domain"));
        assertSame(one.fields().name(0), two.fields().name(0));
    }

    @Test
    void nonFiniteNumbersAreRejected() {
        assertThrows(MergeConflictException.class,
            () -> merger.apply(new MergedState(), new Event("x", Map.of("score", Double.NaN), T0, SOURCE, 0)));
    }

    private void apply(MergedState state, String json) throws Exception {
        apply(state, json, T0);
    }

    private void apply(MergedState state, String json, long timestamp) throws Exception {
        merger.apply(state, event(json, timestamp));
    }

    private Event event(String json, long timestamp) throws Exception {
        return new Event("x", JSON.readValue(json, Map.class), timestamp, SOURCE, nextOffset++);
    }

    private JsonNode document(MergedState state) throws Exception {
        return JSON.readTree(stateJson.write(state));
    }
}
