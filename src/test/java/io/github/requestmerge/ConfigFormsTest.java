package io.github.requestmerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.archive.RawArchiveConfig;
import io.github.requestmerge.enrich.EnrichConfig;
import io.github.requestmerge.sink.RequestMergeSinkConfig;

/**
 * The configs render as good forms: every key grouped, ordered, named and documented, every key with a
 * fixed set of values offering exactly the values validation accepts, and keys that matter only with
 * another setting shown only then. {@link ControlCenterFormsIT} checks the same through a real worker.
 */
class ConfigFormsTest {

    /** @return the least config each plugin's ConfigDef validates without errors */
    private static Map<String, String> minimal(String plugin) {
        Map<String, String> config = new HashMap<>();
        switch (plugin) {
            case "sink" -> config.put(RequestMergeSinkConfig.CONNECTION_URLS, "http://localhost:9200");
            case "archive" -> config.put(RawArchiveConfig.S3_BUCKET_NAME, "request-archive");
            case "enrich" -> config.put(EnrichConfig.GEOIP_DATABASE_PATH, "/var/lib/GeoIP/GeoLite2-City.mmdb");
            default -> throw new IllegalArgumentException(plugin);
        }
        return config;
    }

    private static Map<String, ConfigValue> validate(String plugin, Map<String, String> config) {
        return Forms.PLUGINS.get(plugin).validateAll(config);
    }

    @Test
    void everyKeyHasAGroupAnOrderADisplayNameDocumentationAndAWidth() {
        Forms.PLUGINS.forEach((plugin, def) -> {
            Map<String, List<Integer>> orders = new TreeMap<>();
            for (ConfigKey key : def.configKeys().values()) {
                String where = plugin + " " + key.name;
                assertTrue(key.group != null && def.groups().contains(key.group), where + ": group " + key.group);
                assertTrue(key.displayName != null && !key.displayName.isBlank(), where + ": display name");
                assertTrue(key.documentation != null && !key.documentation.isBlank(), where + ": documentation");
                assertTrue(key.width != null && key.width != Width.NONE, where + ": width " + key.width);
                orders.computeIfAbsent(key.group, group -> new ArrayList<>()).add(key.orderInGroup);
                for (String dependent : key.dependents) {
                    assertTrue(def.configKeys().containsKey(dependent), where + ": unknown dependent " + dependent);
                }
            }
            // Within each group the keys are numbered 1..n in definition order, as a form lays them out.
            orders.forEach((group, numbers) -> {
                List<Integer> expected = new ArrayList<>();
                for (int order = 1; order <= numbers.size(); order++) {
                    expected.add(order);
                }
                assertEquals(expected, numbers, plugin + " group " + group);
            });
            Map<String, ConfigValue> values = validate(plugin, minimal(plugin));
            values.values().forEach(value -> assertEquals(List.of(), value.errorMessages(), plugin + " " + value.name()));
        });
    }

    @Test
    void everyFixedSetIsOfferedAsExactlyTheValuesValidationAccepts() {
        for (Map.Entry<String, ConfigDef> plugin : Forms.PLUGINS.entrySet()) {
            for (Map.Entry<String, List<String>> set : Forms.fixedSets(plugin.getValue()).entrySet()) {
                ConfigKey key = plugin.getValue().configKeys().get(set.getKey());
                String where = plugin.getKey() + " " + key.name;
                assertSame(key.validator, key.recommender, where + ": the choice offered is the one validated");

                List<Object> offered = validate(plugin.getKey(), minimal(plugin.getKey())).get(key.name).recommendedValues();
                List<String> printed = new ArrayList<>();
                offered.forEach(value -> printed.add(ConfigDef.convertToString(value,
                    key.type == ConfigDef.Type.LIST ? ConfigDef.Type.STRING : key.type)));
                assertEquals(set.getValue(), printed, where);

                for (String value : set.getValue()) {
                    Map<String, String> config = minimal(plugin.getKey());
                    config.put(key.name, value);
                    assertEquals(List.of(), validate(plugin.getKey(), config).get(key.name).errorMessages(),
                        where + "=" + value);
                }
                Map<String, String> config = minimal(plugin.getKey());
                config.put(key.name, Forms.badValue(key));
                List<String> errors = validate(plugin.getKey(), config).get(key.name).errorMessages();
                assertEquals(1, errors.size(), where + ": " + errors);
                for (String value : set.getValue()) {
                    assertTrue(errors.get(0).contains(value), where + ": '" + value + "' not named in " + errors);
                }
            }
        }
    }

    @Test
    void theDerivationFindsTheKnownSetsAndNoKeyUsesKafkasOwnFixedSetValidators() {
        Map<String, List<String>> derived = new HashMap<>();
        Forms.PLUGINS.forEach((plugin, def) -> {
            derived.putAll(Forms.fixedSets(def));
            assertEquals(List.of(), Forms.kafkaFixedSetKeys(def), plugin + ": declare fixed sets with ConfigForms.Choice");
        });
        Forms.KNOWN_SETS.forEach((key, values) -> assertEquals(values, derived.get(key), key));
        assertEquals(List.of("ignore", "remove"), derived.get(RequestMergeSinkConfig.MERGE_NULL_HANDLING));
        assertEquals(List.of("Record"), derived.get(RawArchiveConfig.TIMESTAMP_EXTRACTOR));
        assertTrue(derived.get(EnrichConfig.GEOIP_PROPERTIES).containsAll(List.of("city_name", "location", "asn")));
    }

    @Test
    void keysThatMatterOnlyWithAnotherSettingAreShownOnlyThen() {
        Map<String, String> enrich = minimal("enrich");
        Map<String, ConfigValue> on = validate("enrich", enrich);
        enrich.put(EnrichConfig.GEOIP_ENABLED, "false");
        enrich.put(EnrichConfig.USERAGENT_ENABLED, "false");
        Map<String, ConfigValue> off = validate("enrich", enrich);
        for (String key : EnrichConfig.CONFIG_DEF.names()) {
            boolean switchKey = key.equals(EnrichConfig.GEOIP_ENABLED) || key.equals(EnrichConfig.USERAGENT_ENABLED);
            assertTrue(on.get(key).visible(), key);
            assertEquals(switchKey, off.get(key).visible(), key);
        }

        Map<String, String> sink = minimal("sink");
        Map<String, ConfigValue> values = validate("sink", sink);
        assertTrue(values.get(RequestMergeSinkConfig.TEMPLATE_NAME).visible());
        assertTrue(values.get(RequestMergeSinkConfig.TEMPLATE_GEO_POINT_FIELDS).visible());
        assertFalse(values.get(RequestMergeSinkConfig.SSL_TRUSTSTORE_PASSWORD).visible());
        assertFalse(values.get(RequestMergeSinkConfig.SSL_TRUSTSTORE_TYPE).visible());
        sink.put(RequestMergeSinkConfig.TEMPLATE_INSTALL, "false");
        sink.put(RequestMergeSinkConfig.SSL_TRUSTSTORE_PATH, "/etc/es/truststore.p12");
        values = validate("sink", sink);
        assertFalse(values.get(RequestMergeSinkConfig.TEMPLATE_NAME).visible());
        assertFalse(values.get(RequestMergeSinkConfig.TEMPLATE_GEO_POINT_FIELDS).visible());
        assertTrue(values.get(RequestMergeSinkConfig.SSL_TRUSTSTORE_PASSWORD).visible());
        assertTrue(values.get(RequestMergeSinkConfig.SSL_TRUSTSTORE_TYPE).visible());
        assertEquals(List.of("PKCS12", "JKS"), values.get(RequestMergeSinkConfig.SSL_TRUSTSTORE_TYPE).recommendedValues());
    }

    @Test
    void aChoiceNamesItsValuesWhenTheParserDoesNotAndRefusesAParserThatRefusesItsOwnValues() {
        ConfigForms.Choice choice = ConfigForms.choice(List.of("on", "off"), value -> {
            if (!value.equals("on") && !value.equals("off")) {
                throw new IllegalArgumentException("'" + value + "' is not a switch position");
            }
            return value;
        });
        ConfigException refused = assertThrows(ConfigException.class, () -> choice.ensureValid("switch", "up"));
        assertEquals("Invalid value up for configuration switch: 'up' is not a switch position; must be one of on, off",
            refused.getMessage());
        assertThrows(ConfigException.class, () -> choice.ensureValid("switch", List.of()));
        assertThrows(ConfigException.class, () -> choice.ensureValid("switch", List.of("on", "up")));
        choice.ensureValid("switch", List.of("on", "off"));

        assertThrows(IllegalArgumentException.class, () -> ConfigForms.choice(List.of("on", "dimmed"), value -> {
            if (!value.equals("on")) {
                throw new IllegalArgumentException("no");
            }
            return value;
        }));
    }
}
