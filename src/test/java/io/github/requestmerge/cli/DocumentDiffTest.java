package io.github.requestmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

class DocumentDiffTest {

    private static JsonNode json(String text) throws Exception {
        return ElasticAdmin.JSON.readTree(text);
    }

    private static List<String> diff(String archive, String index, String... ignored) throws Exception {
        return DocumentDiff.diff(json(archive), json(index), List.of(ignored)).stream().map(Object::toString).toList();
    }

    @Test
    void equalDocumentsHaveNoDifferencesWhateverTheFieldOrderAndNumberForm() throws Exception {
        assertEquals(List.of(), diff("{\"a\":4.5,\"b\":{\"c\":[1,2]},\"d\":7}", "{\"d\":7.0,\"b\":{\"c\":[1,2.00]},\"a\":4.50}"));
    }

    @Test
    void differencesAreNamedByDottedPath() throws Exception {
        assertEquals(List.of("clicks: archive 8, index 9", "geo.city_name: archive \"Säffle\", index (absent)",
                "tags[1]: archive \"b\", index \"c\"", "uptick: archive (absent), index 4.5"),
            diff("{\"clicks\":8,\"geo\":{\"city_name\":\"Säffle\"},\"tags\":[\"a\",\"b\"]}",
                "{\"clicks\":9,\"geo\":{},\"tags\":[\"a\",\"c\"],\"uptick\":4.5}"));
        assertEquals(List.of("tags: archive [\"a\"], index [\"a\",\"b\"]"), diff("{\"tags\":[\"a\"]}", "{\"tags\":[\"a\",\"b\"]}"));
        assertEquals(List.of("n: archive 1, index \"1\""), diff("{\"n\":1}", "{\"n\":\"1\"}"));
    }

    @Test
    void ignoredPathsAndEverythingUnderThemAreLeftOut() throws Exception {
        assertEquals(List.of("clicks: archive 8, index 9"),
            diff("{\"clicks\":8,\"geo\":{\"city_name\":\"A\",\"location\":{\"lat\":1}}}",
                "{\"clicks\":9,\"geo\":{\"city_name\":\"B\",\"location\":{\"lat\":2}}}", "geo"));
        assertEquals(List.of("geo.city_name: archive \"A\", index \"B\""),
            diff("{\"geo\":{\"city_name\":\"A\",\"location\":{\"lat\":1}}}",
                "{\"geo\":{\"city_name\":\"B\",\"location\":{\"lat\":2}}}", "geo.location"));
        assertEquals(List.of(), diff("{\"geography\":1}", "{\"geography\":2}", "geography"));
        assertEquals(List.of("geography: archive 1, index 2"), diff("{\"geography\":1}", "{\"geography\":2}", "geo"));
    }
}
