package io.github.requestmerge.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class IndexNamesTest {

    @Test
    void aPatternTakesTheLowerCasedTopic() {
        IndexNames names = IndexNames.parse("requests-${topic}");
        assertEquals("requests-leads.eu", names.forTopic("Leads.EU"));
        assertEquals("requests-*", names.templatePattern());
    }

    @Test
    void invalidNamesAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IndexNames.parse("_requests")).getMessage()
            .contains("cannot start with"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IndexNames.parse("a b")).getMessage()
            .contains("cannot contain ' '"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IndexNames.parse(" ")).getMessage()
            .contains("must name an index"));
    }

    @Test
    void templateMapsTimesGeoPointsAndHidesTheMetadata() throws Exception {
        JsonNode body = new ObjectMapper().readTree(new IndexTemplate("t", "requests-*", "created_at", "updated_at",
            "_merge", java.util.List.of("geo.location", "visit.geo.point"), "1.0").body());
        assertEquals("requests-*", body.at("/index_patterns/0").asText());
        JsonNode properties = body.at("/template/mappings/properties");
        assertEquals("date", properties.at("/created_at/type").asText());
        assertEquals("date", properties.at("/updated_at/type").asText());
        assertEquals(false, properties.at("/_merge/enabled").asBoolean());
        assertEquals("geo_point", properties.at("/geo/properties/location/type").asText());
        assertEquals("geo_point", properties.at("/visit/properties/geo/properties/point/type").asText());
        assertEquals("keyword", body.at("/template/mappings/dynamic_templates/0/strings_as_keyword/mapping/type").asText());
    }
}
