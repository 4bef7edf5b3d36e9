package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.merge.FieldRule;

class RequestMergeSinkConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> config = new HashMap<>();
        config.put(RequestMergeSinkConfig.CONNECTION_URLS, "http://127.0.0.1:9200");
        return config;
    }

    @Test
    void everyKeyHasAGroupDisplayNameAndDocumentation() {
        for (ConfigDef.ConfigKey key : RequestMergeSinkConfig.CONFIG_DEF.configKeys().values()) {
            assertTrue(key.group != null && !key.group.isEmpty(), key.name);
            assertTrue(key.displayName != null && !key.displayName.isEmpty(), key.name);
            assertTrue(key.documentation != null && !key.documentation.isEmpty(), key.name);
            assertTrue(key.orderInGroup > 0, key.name);
        }
    }

    @Test
    void secretsArePasswords() {
        for (String key : new String[] {RequestMergeSinkConfig.CONNECTION_PASSWORD, RequestMergeSinkConfig.CONNECTION_API_KEY,
            RequestMergeSinkConfig.SSL_TRUSTSTORE_PASSWORD}) {
            assertEquals(ConfigDef.Type.PASSWORD, RequestMergeSinkConfig.CONFIG_DEF.configKeys().get(key).type, key);
        }
        Map<String, String> config = minimal();
        config.put(RequestMergeSinkConfig.CONNECTION_USERNAME, "elastic");
        config.put(RequestMergeSinkConfig.CONNECTION_PASSWORD, "s3cret");
        RequestMergeSinkConfig parsed = new RequestMergeSinkConfig(config);
        assertFalse(parsed.clientSettings().toString().contains("s3cret"));
        assertFalse(parsed.toString().contains("s3cret"));
    }

    @Test
    void defaultsGiveTheDocumentedBehaviour() {
        RequestMergeSinkConfig config = new RequestMergeSinkConfig(minimal());
        assertEquals("created_at", config.mergeRules().createdField());
        assertEquals("_merge", config.mergeRules().metadataField());
        assertEquals(TombstoneBehavior.DELETE, config.tombstoneBehavior());
        assertEquals(null, config.idField());
        assertEquals("requests", config.indexNames().forTopic("Requests"));
    }

    @Test
    void fieldRulesAreParsedByPath() {
        Map<String, String> config = minimal();
        config.put(RequestMergeSinkConfig.MERGE_FIELD_RULES, "tags:union, stats.max_rt:MAX");
        RequestMergeSinkConfig parsed = new RequestMergeSinkConfig(config);
        assertEquals(FieldRule.UNION, parsed.mergeRules().ruleFor("tags"));
        assertEquals(FieldRule.MAX, parsed.mergeRules().ruleFor("stats.max_rt"));
    }

    @Test
    void badValuesNameTheirKey() {
        assertProblem(RequestMergeSinkConfig.CONNECTION_URLS, "ftp://es:9200", "is not an http or https URL");
        assertProblem(RequestMergeSinkConfig.CONNECTION_URLS, "http://a:9200,https://b:9200",
            "must all use http or all use https");
        // The client refuses these at start; validation must refuse them first.
        assertProblem(RequestMergeSinkConfig.CONNECTION_URLS, "http://elastic:pw@es:9200", "contains credentials");
        assertProblem(RequestMergeSinkConfig.CONNECTION_URLS, "http://a:9200/x,http://b:9200/y", "the same path");
        assertProblem(RequestMergeSinkConfig.MERGE_FIELD_RULES, "tags", "must be path:rule");
        assertProblem(RequestMergeSinkConfig.MERGE_FIELD_RULES, "tags:unite", "unknown merge rule 'unite'");
        assertProblem(RequestMergeSinkConfig.MERGE_ID_FIELD, "a..b", "empty segment");
        assertProblem(RequestMergeSinkConfig.INDEX_NAME, "Requests", "lower case");
        assertProblem(RequestMergeSinkConfig.MERGE_TOMBSTONE_BEHAVIOR, "purge", "use delete, ignore or fail");
        assertProblem(RequestMergeSinkConfig.MERGE_NULL_HANDLING, "drop", "use ignore or remove");
    }

    @Test
    void crossFieldProblemsNameTheKeyToFix() {
        Map<String, String> config = minimal();
        config.put(RequestMergeSinkConfig.CONNECTION_USERNAME, "elastic");
        config.put(RequestMergeSinkConfig.CONNECTION_API_KEY, "key");
        config.put(RequestMergeSinkConfig.SSL_CA_PATH, "/ca.pem");
        config.put(RequestMergeSinkConfig.FLUSH_MAX_EVENTS, "200");
        config.put(RequestMergeSinkConfig.BUFFER_MAX_EVENTS, "100");
        config.put(RequestMergeSinkConfig.MERGE_FIELD_RULES, "updated_at:max");
        Map<String, String> problems = RequestMergeSinkConfig.withoutCrossFieldChecks(config).crossFieldProblems();
        assertEquals("is required with connection.username", problems.get(RequestMergeSinkConfig.CONNECTION_PASSWORD));
        assertTrue(problems.get(RequestMergeSinkConfig.CONNECTION_API_KEY).contains("not both"));
        assertEquals("TLS settings are given (connection.ssl.ca.path) but the URLs are not https: http://127.0.0.1:9200",
            problems.get(RequestMergeSinkConfig.CONNECTION_URLS));
        assertEquals("must not exceed buffer.max.events (100)", problems.get(RequestMergeSinkConfig.FLUSH_MAX_EVENTS));
        assertTrue(problems.get(RequestMergeSinkConfig.MERGE_FIELD_RULES).contains("written by the merge itself"));
        ConfigException e = assertThrows(ConfigException.class, () -> new RequestMergeSinkConfig(config));
        assertTrue(e.getMessage().contains(RequestMergeSinkConfig.CONNECTION_PASSWORD), e.getMessage());
    }

    private static void assertProblem(String key, String value, String expected) {
        Map<String, String> config = minimal();
        config.put(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> new RequestMergeSinkConfig(config));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(expected), e.getMessage());
    }
}
