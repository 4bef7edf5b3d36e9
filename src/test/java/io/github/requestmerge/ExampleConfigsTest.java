package io.github.requestmerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.InsertField;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.archive.RawArchiveConfig;
import io.github.requestmerge.archive.RawArchiveSinkConnector;
import io.github.requestmerge.enrich.EnrichConfig;
import io.github.requestmerge.sink.RequestMergeSinkConfig;
import io.github.requestmerge.sink.RequestMergeSinkConnector;

/** The example configs in config/ are real: every key is known and valid, and the transform configures from them. */
class ExampleConfigsTest {

    private static Map<String, String> load(String name) {
        Path file = Paths.get(System.getProperty("project.basedir", ".")).resolve("config").resolve(name);
        try {
            return new ObjectMapper().readValue(file.toFile(), new TypeReference<Map<String, String>>() { });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
        checkSinkExample(load("request-merge-sink.json"));
    }

    @Test
    void securedSinkExampleTakesItsKeyFromAConfigProvider(@org.junit.jupiter.api.io.TempDir Path secrets) throws Exception {
        Map<String, String> connector = load("request-merge-sink-secured.json");
        String reference = connector.get(RequestMergeSinkConfig.CONNECTION_API_KEY);
        assertTrue(reference.matches("\\$\\{file:[^:}]+:api\\.key}"), "the API key is a ${file:PATH:api.key} reference: "
            + reference);
        assertTrue(connector.get(RequestMergeSinkConfig.CONNECTION_URLS).startsWith("https://"));
        // What a worker with config.providers=file does before the connector sees the config.
        Path file = secrets.resolve("elasticsearch.properties");
        java.nio.file.Files.writeString(file, "api.key=aWQ6c2VjcmV0\n");
        Path ca = secrets.resolve("ca.pem");
        java.nio.file.Files.writeString(ca, "placeholder: the CA file is read by the client, not by config validation\n");
        Map<String, String> pointed = new HashMap<>(connector);
        pointed.put(RequestMergeSinkConfig.CONNECTION_API_KEY, reference.replaceFirst("file:[^:}]+:", "file:" + file + ":"));
        pointed.put(RequestMergeSinkConfig.SSL_CA_PATH, ca.toString());
        org.apache.kafka.common.config.provider.FileConfigProvider provider =
            new org.apache.kafka.common.config.provider.FileConfigProvider();
        provider.configure(Map.of());
        Map<String, String> resolved = new org.apache.kafka.common.config.ConfigTransformer(Map.of("file", provider))
            .transform(pointed).data();
        assertEquals("aWQ6c2VjcmV0", resolved.get(RequestMergeSinkConfig.CONNECTION_API_KEY));
        checkSinkExample(resolved);
    }

    private static void checkSinkExample(Map<String, String> connector) throws Exception {
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

    private static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";

    @Test
    void rawArchiveExampleIsValidAndRaw() throws Exception {
        Map<String, String> connector = load("raw-archive-s3.json");
        assertEquals(RawArchiveSinkConnector.class.getName(), connector.get("connector.class"));
        for (String converter : List.of("key.converter", "value.converter", "header.converter")) {
            assertEquals(BYTE_ARRAY_CONVERTER, connector.get(converter), converter + ": records are archived as produced");
        }
        Map<String, String> archive = new HashMap<>();
        connector.forEach((key, value) -> {
            if (RawArchiveConfig.CONFIG_DEF.configKeys().containsKey(key)) {
                archive.put(key, value);
            } else {
                assertTrue(FRAMEWORK_KEYS.contains(key) || key.startsWith("consumer.override."),
                    "unknown key in the example: " + key);
            }
        });
        for (ConfigValue value : RawArchiveConfig.CONFIG_DEF.validate(archive)) {
            assertEquals(0, value.errorMessages().size(), value.name() + ": " + value.errorMessages());
        }
        new RawArchiveConfig(archive);
    }

    /** Keys of Confluent's S3 sink (and its storage-common partitioners) the example may use, from Confluent's docs. */
    private static final Set<String> CONFLUENT_S3_KEYS = Set.of("storage.class", "format.class", "s3.compression.type",
        "s3.compression.level", "store.kafka.keys", "keys.format.class", "store.kafka.headers", "headers.format.class",
        "s3.bucket.name", "s3.region", "store.url", "s3.path.style.access.enabled", "aws.access.key.id",
        "aws.secret.access.key", "topics.dir", "partitioner.class", "path.format", "partition.duration.ms", "locale",
        "timezone", "timestamp.extractor", "flush.size", "rotate.interval.ms", "rotate.schedule.interval.ms",
        "s3.part.size", "behavior.on.null.values", "schema.compatibility");

    /**
     * Confluent's S3 sink cannot be installed here, so its example is held to the contract the archive
     * tools read it by: JSON lines of the value, gzip, keys stored beside them, the Kafka place stamped into
     * each value, and the same bucket and layout as this plugin's own archive sink.
     */
    @Test
    void confluentArchiveExampleKeepsTheContractTheReaderReliesOn() {
        Map<String, String> confluent = load("raw-archive-confluent-s3.json");
        assertEquals("io.confluent.connect.s3.S3SinkConnector", confluent.get("connector.class"));
        assertEquals("io.confluent.connect.s3.format.json.JsonFormat", confluent.get("format.class"));
        assertEquals("gzip", confluent.get("s3.compression.type"));
        assertEquals("org.apache.kafka.connect.storage.StringConverter", confluent.get("key.converter"));
        assertEquals("org.apache.kafka.connect.json.JsonConverter", confluent.get("value.converter"));
        assertEquals("false", confluent.get("value.converter.schemas.enable"));
        assertEquals("true", confluent.get("store.kafka.keys"));
        assertEquals("io.confluent.connect.s3.format.json.JsonFormat", confluent.get("keys.format.class"));
        assertEquals("stamp", confluent.get("transforms"));
        assertEquals("org.apache.kafka.connect.transforms.InsertField$Value", confluent.get("transforms.stamp.type"));
        Map<String, String> stamp = Map.of("topic.field", "_kafka_topic", "partition.field", "_kafka_partition",
            "offset.field", "_kafka_offset", "timestamp.field", "_kafka_timestamp");
        stamp.forEach((key, value) -> assertEquals(value, confluent.get("transforms.stamp." + key), key));

        Map<String, String> ours = load("raw-archive-s3.json");
        for (String key : List.of("topics", "s3.bucket.name", "s3.region", "store.url", "s3.path.style.access.enabled",
            "topics.dir", "partitioner.class", "timestamp.extractor", "flush.size", "s3.part.size", "s3.compression.level")) {
            assertEquals(ours.get(key), confluent.get(key), key + " is the same as in raw-archive-s3.json");
        }
        Map<String, String> shared = new HashMap<>();
        confluent.forEach((key, value) -> {
            if (key.startsWith("transforms.") || key.startsWith("errors.") || FRAMEWORK_KEYS.contains(key)) {
                return;
            }
            assertTrue(CONFLUENT_S3_KEYS.contains(key), "not a key of Confluent's S3 sink: " + key);
            if (RawArchiveConfig.CONFIG_DEF.configKeys().containsKey(key)) {
                shared.put(key, value);
            }
        });
        // Keys both connectors have mean the same, so this plugin's definition accepts Confluent's values.
        for (ConfigValue value : RawArchiveConfig.CONFIG_DEF.validate(shared)) {
            assertEquals(0, value.errorMessages().size(), value.name() + ": " + value.errorMessages());
        }

        // The stamp is Apache Kafka's own InsertField, configured from the example, on a record as the JsonConverter
        // gives it.
        try (InsertField.Value<SinkRecord> transform = new InsertField.Value<>()) {
            transform.configure(stamp);
            Map<String, Object> value = new HashMap<>(Map.of("id", "abc123"));
            SinkRecord stamped = transform.apply(new SinkRecord("requests", 3, null, "abc123", null, value, 42,
                1_764_651_127_000L, org.apache.kafka.common.record.TimestampType.CREATE_TIME));
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) stamped.value();
            assertEquals("requests", fields.get("_kafka_topic"));
            assertEquals(3, fields.get("_kafka_partition"));
            assertEquals(42L, fields.get("_kafka_offset"));
            assertEquals(1_764_651_127_000L, fields.get("_kafka_timestamp"), "schemaless: epoch millis, a number");
        }
    }

    private static final java.util.Set<String> FRAMEWORK_KEYS = java.util.Set.of("name", "connector.class", "tasks.max",
        "topics", "key.converter", "value.converter", "value.converter.schemas.enable", "header.converter", "transforms");
}
