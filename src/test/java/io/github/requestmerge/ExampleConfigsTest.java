package io.github.requestmerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.enrich.EnrichConfig;
import io.github.requestmerge.sink.RequestMergeSinkConfig;
import io.github.requestmerge.sink.RequestMergeSinkConnector;

/** The example configs in config/ are real: every key is known and valid, and the transform configures from them. */
class ExampleConfigsTest {

    private static Map<String, String> load(String name) throws IOException {
        Path file = Paths.get(System.getProperty("project.basedir", ".")).resolve("config").resolve(name);
        return new ObjectMapper().readValue(file.toFile(), new TypeReference<Map<String, String>>() { });
    }

    @Test
    void enrichTransformExampleIsValid() throws Exception {
        Map<String, String> connector = load("enrich-transform.json");
        String alias = connector.get("transforms");
        assertNotNull(alias);
        String prefix = "transforms." + alias + ".";
        Class<?> type = Class.forName(connector.get(prefix + "type"));
        Map<String, String> config = new HashMap<>();
        connector.forEach((key, value) -> {
            if (key.startsWith(prefix) && !key.equals(prefix + "type")) {
                config.put(key.substring(prefix.length()), value);
            }
        });
        config.keySet().forEach(key ->
            assertTrue(EnrichConfig.CONFIG_DEF.configKeys().containsKey(key), "unknown key in the example: " + key));
        for (ConfigValue value : EnrichConfig.CONFIG_DEF.validate(config)) {
            assertEquals(0, value.errorMessages().size(), value.name() + ": " + value.errorMessages());
        }

        // The example's database path is a production one; point it at the test database to configure for real.
        config.put(EnrichConfig.GEOIP_DATABASE_PATH, TestData.geoLite2City().toString());
        @SuppressWarnings("unchecked")
        Transformation<SinkRecord> transform = (Transformation<SinkRecord>) type.getDeclaredConstructor().newInstance();
        try {
            transform.configure(config);
        } finally {
            transform.close();
        }
    }

    @Test
    void mergingSinkExampleIsValid() throws Exception {
        Map<String, String> connector = load("request-merge-sink.json");
        assertEquals(RequestMergeSinkConnector.class.getName(), connector.get("connector.class"));
        Map<String, String> sink = new HashMap<>();
        Map<String, String> enrich = new HashMap<>();
        connector.forEach((key, value) -> {
            if (key.startsWith("transforms.enrich.")) {
                enrich.put(key.substring("transforms.enrich.".length()), value);
            } else if (RequestMergeSinkConfig.CONFIG_DEF.configKeys().containsKey(key)) {
                sink.put(key, value);
            } else {
                assertTrue(FRAMEWORK_KEYS.contains(key) || key.startsWith("errors."), "unknown key in the example: " + key);
            }
        });
        for (ConfigValue value : RequestMergeSinkConfig.CONFIG_DEF.validate(sink)) {
            assertEquals(0, value.errorMessages().size(), value.name() + ": " + value.errorMessages());
        }
        new RequestMergeSinkConfig(sink);
        enrich.remove("type");
        enrich.keySet().forEach(key ->
            assertTrue(EnrichConfig.CONFIG_DEF.configKeys().containsKey(key), "unknown transform key: " + key));
    }

    private static final java.util.Set<String> FRAMEWORK_KEYS = java.util.Set.of("name", "connector.class", "tasks.max",
        "topics", "key.converter", "value.converter", "value.converter.schemas.enable", "transforms");
}
