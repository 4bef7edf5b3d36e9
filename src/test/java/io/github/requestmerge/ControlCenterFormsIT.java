package io.github.requestmerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.archive.RawArchiveConfig;
import io.github.requestmerge.enrich.EnrichConfig;
import io.github.requestmerge.sink.RequestMergeSinkConfig;
import io.github.requestmerge.stack.S3Server;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ConnectRest;

/**
 * What Control Center renders its forms from, read from a real worker: {@code PUT
 * /connector-plugins/{class}/config/validate} for the shipped merging sink (with the Enrich transform)
 * and the shipped archive connector. Every key of the plugins' own ConfigDefs (the transform's too, as
 * {@code transforms.enrich.*}) comes with a group of its plugin, a display name and documentation; every
 * key with a fixed set of values (derived from the ConfigDefs by {@link Forms}) offers that set as
 * {@code recommended_values}, and a value outside it is an error on that key naming the set.
 */
@ExtendWith(Stack.class)
class ControlCenterFormsIT {

    private static final String SINK = "RequestMergeSinkConnector";
    private static final String ARCHIVE = "RawArchiveSinkConnector";
    private static final String ENRICH = "transforms.enrich.";

    private final ConnectRest connect = new ConnectRest(Stack.connect().restUrl());

    /** The shipped sink config, pointed at the stack's Elasticsearch and a real GeoLite2 database. */
    private static Map<String, String> sink() {
        Map<String, String> config = shipped("config/request-merge-sink.json");
        config.put("name", "forms-merge");
        config.put(RequestMergeSinkConfig.CONNECTION_URLS, Stack.elasticsearch().url());
        config.put(ENRICH + EnrichConfig.GEOIP_DATABASE_PATH, TestData.geoLite2City().toString());
        return config;
    }

    /** The shipped archive config, pointed at the stack's S3. */
    private static Map<String, String> archive() {
        S3Server s3 = Stack.s3();
        Map<String, String> config = shipped("config/raw-archive-s3.json");
        config.put("name", "forms-archive");
        config.put(RawArchiveConfig.S3_BUCKET_NAME, s3.bucket());
        config.put(RawArchiveConfig.STORE_URL, s3.endpoint());
        config.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, s3.accessKey());
        config.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, s3.secretKey());
        config.put(RawArchiveConfig.TOPICS_DIR, "forms-it");
        return config;
    }

    @Test
    void theMergingSinkAndItsTransformRenderAsFormsWithChoices() {
        JsonNode answer = connect.validate(SINK, sink());
        assertEquals(0, answer.get("error_count").asInt(), answer.toString());
        Map<String, JsonNode> configs = byName(answer);
        checkForm(configs, "", RequestMergeSinkConfig.CONFIG_DEF, Set.copyOf(RequestMergeSinkConfig.CONFIG_DEF.groups()));
        Set<String> transformGroups = EnrichConfig.CONFIG_DEF.groups().stream()
            .map(group -> "Transforms: enrich: " + group).collect(Collectors.toSet());
        checkForm(configs, ENRICH, EnrichConfig.CONFIG_DEF, transformGroups);
        assertEquals(List.of("delete", "ignore", "fail"),
            recommended(configs, RequestMergeSinkConfig.MERGE_TOMBSTONE_BEHAVIOR), "written out, to guard the derivation");
        assertTrue(recommended(configs, ENRICH + EnrichConfig.GEOIP_PROPERTIES).containsAll(List.of("city_name", "location")));

        Map<String, String> bad = sink();
        putBadValues(bad, "", RequestMergeSinkConfig.CONFIG_DEF);
        putBadValues(bad, ENRICH, EnrichConfig.CONFIG_DEF);
        Map<String, JsonNode> refused = byName(connect.validate(SINK, bad));
        checkRefusals(refused, "", RequestMergeSinkConfig.CONFIG_DEF);
        checkRefusals(refused, ENRICH, EnrichConfig.CONFIG_DEF);

        // The worker hands the transform's recommenders its own keys, unprefixed: geo off hides the geo keys.
        Map<String, String> geoOff = sink();
        geoOff.put(ENRICH + EnrichConfig.GEOIP_ENABLED, "false");
        Map<String, JsonNode> off = byName(connect.validate(SINK, geoOff));
        assertTrue(configs.get(ENRICH + EnrichConfig.GEOIP_DATABASE_PATH).path("value").path("visible").asBoolean());
        assertFalse(off.get(ENRICH + EnrichConfig.GEOIP_DATABASE_PATH).path("value").path("visible").asBoolean());
        assertFalse(off.get(ENRICH + EnrichConfig.GEOIP_PROPERTIES).path("value").path("visible").asBoolean());
        assertTrue(off.get(ENRICH + EnrichConfig.USERAGENT_PROPERTIES).path("value").path("visible").asBoolean());
    }

    @Test
    void theArchiveConnectorRendersAsAFormWithChoices() {
        JsonNode answer = connect.validate(ARCHIVE, archive());
        assertEquals(0, answer.get("error_count").asInt(), answer.toString());
        Map<String, JsonNode> configs = byName(answer);
        checkForm(configs, "", RawArchiveConfig.CONFIG_DEF, Set.copyOf(RawArchiveConfig.CONFIG_DEF.groups()));
        assertEquals(List.of("io.confluent.connect.storage.partitioner.DefaultPartitioner",
                "io.confluent.connect.storage.partitioner.TimeBasedPartitioner"),
            recommended(configs, RawArchiveConfig.PARTITIONER_CLASS), "written out, to guard the derivation");
        assertFalse(configs.get(RawArchiveConfig.PATH_FORMAT).path("value").path("visible").asBoolean(),
            "the time layout's keys are hidden with the DefaultPartitioner");

        Map<String, String> bad = archive();
        putBadValues(bad, "", RawArchiveConfig.CONFIG_DEF);
        checkRefusals(byName(connect.validate(ARCHIVE, bad)), "", RawArchiveConfig.CONFIG_DEF);
    }

    /** Every key of {@code def} is in the answer with a group, display name and doc, and each fixed set is offered. */
    private static void checkForm(Map<String, JsonNode> configs, String prefix, ConfigDef def, Set<String> groups) {
        for (String key : def.names()) {
            JsonNode config = configs.get(prefix + key);
            assertNotNull(config, prefix + key + " is missing from the validate answer");
            JsonNode definition = config.get("definition");
            assertTrue(groups.contains(definition.path("group").asText()),
                prefix + key + ": group '" + definition.path("group").asText() + "' is not one of " + groups);
            assertFalse(definition.path("display_name").asText().isBlank(), prefix + key + ": display name");
            assertFalse(definition.path("documentation").asText().isBlank(), prefix + key + ": documentation");
        }
        Map<String, List<String>> sets = Forms.fixedSets(def);
        assertFalse(sets.isEmpty(), "fixed sets derived from " + def.groups());
        sets.forEach((key, values) -> assertEquals(values, recommended(configs, prefix + key), prefix + key));
        // Keys without a fixed set offer none: a form shows them as text boxes.
        for (String key : def.names()) {
            if (!sets.containsKey(key)) {
                assertEquals(List.of(), recommended(configs, prefix + key), prefix + key);
            }
        }
    }

    private static void putBadValues(Map<String, String> config, String prefix, ConfigDef def) {
        Forms.fixedSets(def).keySet().forEach(key -> config.put(prefix + key, Forms.badValue(def.configKeys().get(key))));
    }

    /** Each fixed-set key (given a bad value) has one error, naming every value of its set. */
    private static void checkRefusals(Map<String, JsonNode> configs, String prefix, ConfigDef def) {
        Forms.fixedSets(def).forEach((key, values) -> {
            List<String> errors = new ArrayList<>();
            configs.get(prefix + key).path("value").path("errors").forEach(error -> errors.add(error.asText()));
            assertEquals(1, errors.size(), prefix + key + ": " + errors);
            for (String value : values) {
                assertTrue(errors.get(0).contains(value), prefix + key + ": '" + value + "' not named in " + errors);
            }
        });
    }

    private static List<String> recommended(Map<String, JsonNode> configs, String key) {
        List<String> values = new ArrayList<>();
        configs.get(key).path("value").path("recommended_values").forEach(value -> values.add(value.asText()));
        return values;
    }

    private static Map<String, JsonNode> byName(JsonNode answer) {
        Map<String, JsonNode> configs = new HashMap<>();
        answer.path("configs").forEach(config -> configs.put(config.path("definition").path("name").asText(), config));
        return configs;
    }

    /** A connector config from {@code config/}, as a user would PUT it. */
    private static Map<String, String> shipped(String file) {
        try {
            return new ObjectMapper().readValue(Paths.get(System.getProperty("project.basedir", ".")).resolve(file)
                .toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
