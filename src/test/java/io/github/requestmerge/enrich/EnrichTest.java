package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.requestmerge.TestData;
import io.github.requestmerge.enrich.EnrichCounters.Outcome;

class EnrichTest {

    private static final String CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        + "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private static final String IPHONE_SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) "
        + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1";
    /** In the pinned GeoLite2-City 1.0.101: Säffle, Värmland County, Sweden. */
    private static final String SWEDISH_IP = "89.160.20.128";

    @TempDir
    Path temp;

    private Enrich<SinkRecord> transform;

    @AfterEach
    void close() {
        if (transform != null) {
            transform.close();
        }
    }

    private Enrich<SinkRecord> value(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(EnrichConfig.GEOIP_DATABASE_PATH, TestData.geoLite2City().toString());
        config.putAll(extra);
        transform = new Enrich.Value<>();
        transform.configure(config);
        return transform;
    }

    private static SinkRecord record(Schema schema, Object value) {
        return new SinkRecord("requests", 3, Schema.STRING_SCHEMA, "abc123", schema, value, 42L);
    }

    private static Map<String, Object> event(String ip, String userAgent) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "abc123");
        event.put("ipaddress", ip);
        event.put("useragent", userAgent);
        event.put("clicks", "+1");
        return event;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    void schemalessRecordGetsGeoAndUserAgentFields() {
        SinkRecord out = value(Map.of()).apply(record(null, event(SWEDISH_IP, CHROME_WINDOWS)));

        Map<String, Object> value = map(out.value());
        assertEquals("+1", value.get("clicks"), "original fields are kept");
        Map<String, Object> geo = map(value.get("geo"));
        assertEquals("Europe", geo.get("continent_name"));
        assertEquals("SE", geo.get("country_iso_code"));
        assertEquals("Sweden", geo.get("country_name"));
        assertEquals("SE-S", geo.get("region_iso_code"));
        assertEquals("Värmland County", geo.get("region_name"));
        assertEquals("Säffle", geo.get("city_name"));
        assertEquals(Map.of("lat", 59.1351, "lon", 12.9237), geo.get("location"));
        assertEquals(List.of("continent_name", "country_iso_code", "country_name", "region_iso_code", "region_name",
            "city_name", "location"), List.copyOf(geo.keySet()), "only the default properties, in a stable order");

        Map<String, Object> ua = map(value.get("UA"));
        assertEquals("Chrome", ua.get("name"));
        assertEquals("120.0.0", ua.get("version"));
        assertEquals("120", ua.get("major"));
        assertEquals("0", ua.get("minor"));
        assertEquals("0", ua.get("patch"));
        assertEquals(Map.of("name", "Windows", "version", "10", "full", "Windows 10"), ua.get("os"));
        assertEquals(Map.of("name", "Other"), ua.get("device"));
        assertFalse(ua.containsKey("original"), "original is off by default");
        assertEquals(1, transform.counters().geoCount(Outcome.ENRICHED));
        assertEquals(1, transform.counters().userAgentCount(Outcome.ENRICHED));
    }

    @Test
    void inputMapIsNotModified() {
        Map<String, Object> event = event(SWEDISH_IP, CHROME_WINDOWS);
        Map<String, Object> copy = new LinkedHashMap<>(event);
        value(Map.of()).apply(record(null, event));
        assertEquals(copy, event);
    }

    @Test
    void structRecordGetsOptionalStructFieldsAndReusesTheDerivedSchema() {
        Schema schema = SchemaBuilder.struct().name("Request")
            .field("id", Schema.STRING_SCHEMA)
            .field("ipaddress", Schema.OPTIONAL_STRING_SCHEMA)
            .field("useragent", Schema.OPTIONAL_STRING_SCHEMA)
            .field("price", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .build();
        Struct first = new Struct(schema).put("id", "a").put("ipaddress", SWEDISH_IP)
            .put("useragent", IPHONE_SAFARI).put("price", 2.45);
        Struct second = new Struct(schema).put("id", "b").put("ipaddress", "10.1.2.3");

        Enrich<SinkRecord> enrich = value(Map.of());
        SinkRecord out1 = enrich.apply(record(schema, first));
        SinkRecord out2 = enrich.apply(record(schema, second));

        assertSame(out1.valueSchema(), out2.valueSchema(), "the derived schema is cached per input schema");
        assertEquals("Request", out1.valueSchema().name(), "schema name is kept");
        assertTrue(out1.valueSchema().field("geo").schema().isOptional());
        assertTrue(out1.valueSchema().field("UA").schema().isOptional());
        Struct value1 = (Struct) out1.value();
        value1.validate();
        assertEquals(2.45, value1.get("price"));
        Struct geo = value1.getStruct("geo");
        assertEquals("SE", geo.get("country_iso_code"));
        assertEquals("Säffle", geo.get("city_name"));
        assertEquals(59.1351, geo.getStruct("location").get("lat"));
        assertEquals(12.9237, geo.getStruct("location").get("lon"));
        Struct ua = value1.getStruct("UA");
        assertEquals("Mobile Safari", ua.get("name"));
        assertEquals("17.1.2", ua.get("version"));
        assertEquals("iOS", ua.getStruct("os").get("name"));
        assertEquals("iOS 17.1.2", ua.getStruct("os").get("full"));
        assertEquals("iPhone", ua.getStruct("device").get("name"));

        Struct value2 = (Struct) out2.value();
        value2.validate();
        assertNull(value2.get("geo"), "a private address gets no geo");
        assertNull(value2.get("UA"), "a missing user agent gets no UA");
        assertEquals(1, transform.counters().geoCount(Outcome.PRIVATE));
        assertEquals(1, transform.counters().userAgentCount(Outcome.MISSING));
    }

    @Test
    void structWithAConflictingTargetFieldFailsNamingTheField() {
        Schema schema = SchemaBuilder.struct().field("ipaddress", Schema.STRING_SCHEMA)
            .field("geo", Schema.STRING_SCHEMA).build();
        Struct value = new Struct(schema).put("ipaddress", SWEDISH_IP).put("geo", "x");
        DataException e = assertThrows(DataException.class, () -> value(Map.of()).apply(record(schema, value)));
        assertTrue(e.getMessage().contains("'geo'"), e.getMessage());
    }

    @Test
    void keyVariantEnrichesTheKeyAndLeavesTheValue() {
        transform = new Enrich.Key<>();
        transform.configure(Map.of(EnrichConfig.GEOIP_DATABASE_PATH, TestData.geoLite2City().toString()));
        SinkRecord in = new SinkRecord("requests", 0, null, event(SWEDISH_IP, CHROME_WINDOWS), null, "payload", 7L);
        SinkRecord out = transform.apply(in);
        assertEquals("SE", map(map(out.key()).get("geo")).get("country_iso_code"));
        assertEquals("payload", out.value());
    }

    @Test
    void tombstonePassesThroughUnchanged() {
        SinkRecord tombstone = record(null, null);
        assertSame(tombstone, value(Map.of()).apply(tombstone));

        Enrich<SinkRecord> key = new Enrich.Key<>();
        key.configure(Map.of(EnrichConfig.GEOIP_DATABASE_PATH, TestData.geoLite2City().toString()));
        try {
            SinkRecord nullKey = new SinkRecord("requests", 0, null, null, null, event(SWEDISH_IP, null), 1L);
            assertSame(nullKey, key.apply(nullKey));
        } finally {
            key.close();
        }
    }

    @Test
    void nestedSourceFieldsAreReached() {
        Enrich<SinkRecord> enrich = value(Map.of(EnrichConfig.GEOIP_SOURCE_FIELD, "client.ip",
            EnrichConfig.USERAGENT_SOURCE_FIELD, "client.headers.ua"));
        Map<String, Object> value = Map.of("client", Map.of("ip", "2a02:cf40::1", "headers", Map.of("ua", CHROME_WINDOWS)));
        Map<String, Object> out = map(enrich.apply(record(null, value)).value());
        assertEquals("DK", map(out.get("geo")).get("country_iso_code"));
        assertEquals("Chrome", map(out.get("UA")).get("name"));

        Schema headers = SchemaBuilder.struct().field("ua", Schema.STRING_SCHEMA).build();
        Schema client = SchemaBuilder.struct().field("ip", Schema.STRING_SCHEMA).field("headers", headers).build();
        Schema schema = SchemaBuilder.struct().field("client", client).build();
        Struct struct = new Struct(schema).put("client", new Struct(client).put("ip", SWEDISH_IP)
            .put("headers", new Struct(headers).put("ua", CHROME_WINDOWS)));
        Struct outStruct = (Struct) enrich.apply(record(schema, struct)).value();
        assertEquals("SE", outStruct.getStruct("geo").get("country_iso_code"));
        assertEquals("Chrome", outStruct.getStruct("UA").get("name"));
    }

    @Test
    void ipv6AddressGetsGeo() {
        Map<String, Object> out = map(value(Map.of()).apply(record(null, event("2a02:cf40::1", null))).value());
        assertEquals("Denmark", map(out.get("geo")).get("country_name"));
    }

    @Test
    void missingInvalidPrivateAndUnknownAddressesAreCountedAndNeverThrow() {
        Enrich<SinkRecord> enrich = value(Map.of());
        Object[] invalid = {"not-an-ip", "999.1.1.1", "1.2.3", "example.com", "localhost", "", 12345, List.of("1.2.3.4")};
        Object[] privateAddresses = {"10.0.0.1", "192.168.1.20", "172.16.5.4", "127.0.0.1", "::1", "fe80::1", "fd00::7",
            "100.64.0.1", "0.0.0.0"};
        for (Object ip : invalid) {
            Map<String, Object> event = event(null, CHROME_WINDOWS);
            event.put("ipaddress", ip);
            assertFalse(map(enrich.apply(record(null, event)).value()).containsKey("geo"), "no geo for " + ip);
        }
        for (Object ip : privateAddresses) {
            assertFalse(map(enrich.apply(record(null, event((String) ip, null))).value()).containsKey("geo"));
        }
        Map<String, Object> noIp = event(null, null);
        noIp.remove("ipaddress");
        enrich.apply(record(null, noIp));
        enrich.apply(record(null, event("1.1.1.1", null)));

        EnrichCounters counters = transform.counters();
        assertEquals(invalid.length, counters.geoCount(Outcome.INVALID));
        assertEquals(privateAddresses.length, counters.geoCount(Outcome.PRIVATE));
        assertEquals(1, counters.geoCount(Outcome.MISSING));
        assertEquals(1, counters.geoCount(Outcome.NOT_FOUND), "1.1.1.1 has no location in GeoLite2");
        assertEquals(0, counters.geoCount(Outcome.ENRICHED));
    }

    @Test
    void valueThatIsNeitherMapNorStructFailsNamingTopicPartitionAndOffset() {
        Enrich<SinkRecord> enrich = value(Map.of());
        DataException schemaless = assertThrows(DataException.class, () -> enrich.apply(record(null, "a string")));
        assertTrue(schemaless.getMessage().contains("topic 'requests' partition 3 offset 42"), schemaless.getMessage());
        DataException withSchema = assertThrows(DataException.class,
            () -> enrich.apply(record(Schema.STRING_SCHEMA, "a string")));
        assertTrue(withSchema.getMessage().contains("topic 'requests' partition 3 offset 42"), withSchema.getMessage());
    }

    @Test
    void configuredPropertiesAndTargetsAreUsed() {
        Enrich<SinkRecord> enrich = value(Map.of(
            EnrichConfig.GEOIP_PROPERTIES, "country_iso_code, continent_code,timezone,postal_code,accuracy_radius,"
                + "country_in_european_union",
            EnrichConfig.GEOIP_TARGET_FIELD, "where",
            EnrichConfig.USERAGENT_PROPERTIES, "name,original,os.name",
            EnrichConfig.USERAGENT_TARGET_FIELD, "agent",
            EnrichConfig.GEOIP_LOCALE, "de"));
        Map<String, Object> out = map(enrich.apply(record(null, event(SWEDISH_IP, CHROME_WINDOWS))).value());
        assertEquals(Map.of("country_iso_code", "SE", "continent_code", "EU", "timezone", "Europe/Stockholm",
            "postal_code", "661 30", "accuracy_radius", 20, "country_in_european_union", true), out.get("where"));
        assertEquals(Map.of("name", "Chrome", "original", CHROME_WINDOWS, "os", Map.of("name", "Windows")),
            out.get("agent"));
    }

    @Test
    void namesFollowTheConfiguredLocale() {
        Map<String, Object> out = map(value(Map.of(EnrichConfig.GEOIP_LOCALE, "de"))
            .apply(record(null, event(SWEDISH_IP, null))).value());
        assertEquals("Schweden", map(out.get("geo")).get("country_name"));
    }

    @Test
    void longUserAgentIsTruncatedBeforeParsing() {
        String padded = "x".repeat(600) + " Firefox/99.0";
        Enrich<SinkRecord> enrich = value(Map.of(EnrichConfig.GEOIP_ENABLED, "false"));
        Map<String, Object> out = map(enrich.apply(record(null, event(null, padded))).value());
        assertEquals("Other", map(out.get("UA")).get("name"), "the Firefox token lies beyond the first 512 chars");
        assertEquals(1, transform.counters().userAgentCount(Outcome.TRUNCATED));
        transform.close();

        Enrich<SinkRecord> longer = value(Map.of(EnrichConfig.GEOIP_ENABLED, "false",
            EnrichConfig.USERAGENT_MAX_LENGTH, "1000"));
        assertEquals("Firefox", map(map(longer.apply(record(null, event(null, padded))).value()).get("UA")).get("name"));
    }

    @Test
    void customRegexesFileIsUsed() throws IOException {
        Path regexes = temp.resolve("regexes.yaml");
        Files.writeString(regexes, String.join("\n",
            "user_agent_parsers:",
            "  - regex: '(AcmeBrowser)/(\\d+)\\.(\\d+)'",
            "    family_replacement: 'Acme Browser'",
            "os_parsers:",
            "  - regex: '(AcmeOS) (\\d+)'",
            "    os_replacement: 'Acme OS'",
            "device_parsers:",
            "  - regex: 'AcmePhone'",
            "    device_replacement: 'Acme Phone'",
            ""));
        Enrich<SinkRecord> enrich = value(Map.of(EnrichConfig.GEOIP_ENABLED, "false",
            EnrichConfig.USERAGENT_REGEXES_PATH, regexes.toString()));
        Map<String, Object> ua = map(map(enrich.apply(record(null, event(null, "AcmeBrowser/3.14 (AcmeOS 7; AcmePhone)")))
            .value()).get("UA"));
        assertEquals("Acme Browser", ua.get("name"));
        assertEquals("3.14", ua.get("version"));
        assertEquals(Map.of("name", "Acme OS", "version", "7", "full", "Acme OS 7"), ua.get("os"));
        assertEquals(Map.of("name", "Acme Phone"), ua.get("device"));
        Map<String, Object> chrome = map(map(enrich.apply(record(null, event(null, CHROME_WINDOWS))).value()).get("UA"));
        assertEquals("Other", chrome.get("name"), "the bundled regexes are not used");
    }

    @Test
    void missingDatabaseFailsConfigureNamingTheKeyAndPath() {
        Path missing = temp.resolve("nope.mmdb");
        Enrich<SinkRecord> enrich = new Enrich.Value<>();
        ConfigException e = assertThrows(ConfigException.class,
            () -> enrich.configure(Map.of(EnrichConfig.GEOIP_DATABASE_PATH, missing.toString())));
        assertTrue(e.getMessage().contains(EnrichConfig.GEOIP_DATABASE_PATH), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        enrich.close();
    }

    @Test
    void unreadableDatabaseFailsConfigureNamingTheKeyAndPath() throws IOException {
        Path garbage = Files.writeString(temp.resolve("garbage.mmdb"), "this is not a MaxMind database");
        ConfigException e = assertThrows(ConfigException.class, () -> new Enrich.Value<SinkRecord>()
            .configure(Map.of(EnrichConfig.GEOIP_DATABASE_PATH, garbage.toString())));
        assertTrue(e.getMessage().contains(EnrichConfig.GEOIP_DATABASE_PATH) && e.getMessage().contains(garbage.toString()),
            e.getMessage());
        ConfigException directory = assertThrows(ConfigException.class, () -> new Enrich.Value<SinkRecord>()
            .configure(Map.of(EnrichConfig.GEOIP_DATABASE_PATH, temp.toString())));
        assertTrue(directory.getMessage().contains(EnrichConfig.GEOIP_DATABASE_PATH), directory.getMessage());
    }

    @Test
    void databaseIsRequiredOnlyWhileGeoIsEnabled() {
        ConfigException e = assertThrows(ConfigException.class, () -> new Enrich.Value<SinkRecord>().configure(Map.of()));
        assertTrue(e.getMessage().contains(EnrichConfig.GEOIP_DATABASE_PATH), e.getMessage());
        Enrich<SinkRecord> enrich = value(Map.of(EnrichConfig.GEOIP_ENABLED, "false",
            EnrichConfig.GEOIP_DATABASE_PATH, ""));
        assertFalse(map(enrich.apply(record(null, event(SWEDISH_IP, CHROME_WINDOWS))).value()).containsKey("geo"));
    }

    @Test
    void asnPropertiesNeedAnAsnDatabase() {
        ConfigException e = assertThrows(ConfigException.class, () -> new EnrichConfig(Map.of(
            EnrichConfig.GEOIP_DATABASE_PATH, "/x.mmdb", EnrichConfig.GEOIP_PROPERTIES, "country_name,asn")));
        assertTrue(e.getMessage().contains(EnrichConfig.GEOIP_PROPERTIES) && e.getMessage().contains("asn"),
            e.getMessage());
    }

    @Test
    void invalidValuesAreRejectedAgainstTheirKeys() {
        Map<String, String> bad = Map.of(
            EnrichConfig.GEOIP_PROPERTIES, "country_name,planet",
            EnrichConfig.GEOIP_SOURCE_FIELD, "client..ip",
            EnrichConfig.GEOIP_TARGET_FIELD, "a.b",
            EnrichConfig.USERAGENT_PROPERTIES, "name,shoe.size",
            EnrichConfig.USERAGENT_MAX_LENGTH, "0",
            EnrichConfig.GEOIP_LOCALE, "");
        bad.forEach((key, value) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> new EnrichConfig(Map.of(
                EnrichConfig.GEOIP_DATABASE_PATH, "/x.mmdb", key, value)));
            assertTrue(e.getMessage().contains(key), key + ": " + e.getMessage());
        });
    }

    @Test
    void everyKeyHasGroupDisplayNameAndDocumentation() {
        EnrichConfig.CONFIG_DEF.configKeys().values().forEach(key -> {
            assertTrue(key.group != null && !key.group.isEmpty(), key.name);
            assertTrue(key.displayName != null && !key.displayName.isEmpty(), key.name);
            assertTrue(key.documentation != null && key.documentation.length() > 20, key.name);
            assertTrue(key.orderInGroup > 0, key.name);
        });
    }

    @Test
    void closeIsSafeWhenConfigureFailed() {
        Enrich<SinkRecord> enrich = new Enrich.Value<>();
        assertThrows(ConfigException.class, () -> enrich.configure(Map.of()));
        enrich.close();
        new Enrich.Key<SinkRecord>().close();
    }

    @Test
    void versionComesFromTheBuild() {
        assertTrue(value(Map.of()).version().matches("\\d+\\.\\d+\\.\\d+.*"), transform.version());
    }
}
