package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.CheckedSinkConnector;

/** The archive sink's configuration: every key validated by the runtime's parser, problems against the key to fix. */
class RawArchiveConfigTest {

    private static final String TIME = "io.confluent.connect.storage.partitioner.TimeBasedPartitioner";

    private static Map<String, String> minimal() {
        Map<String, String> config = new HashMap<>();
        config.put(RawArchiveConfig.S3_BUCKET_NAME, "request-archive");
        return config;
    }

    /** @return each key's error messages, as the validate endpoint shows them (keys without errors left out) */
    private static Map<String, List<String>> errors(Map<String, String> config) {
        return RawArchiveConfig.CONFIG_DEF.validate(config).stream().filter(value -> !value.errorMessages().isEmpty())
            .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }

    /** @return the cross-field problems of a config whose keys are each valid */
    private static Map<String, String> crossField(Map<String, String> config) {
        return RawArchiveConfig.withoutCrossFieldChecks(config).crossFieldProblems();
    }

    @Test
    void theDefaultsAreConfluentsLayoutAndAreValid() {
        RawArchiveConfig config = new RawArchiveConfig(minimal());
        assertEquals("topics/requests/partition=0/requests+0+0000000000.json.gz",
            config.layout().objectKey("requests", 0, 0, 0));
        S3Settings s3 = config.s3Settings();
        assertEquals("request-archive", s3.bucket());
        assertEquals("us-east-1", s3.region());
        assertNull(s3.endpoint(), "AWS's own endpoint");
        assertTrue(s3.pathStyle());
        assertNull(s3.accessKey(), "the default credentials provider chain");
        assertEquals(Duration.ofSeconds(60), s3.apiCallTimeout());
        assertEquals(new ArchiveRotation(10_000, -1, 64L << 20, 600_000, false), config.rotation());
        assertTrue(config.conditionalWrites());
        assertEquals(25 << 20, config.partSize());
        assertEquals(-1, config.compressionLevel());
    }

    @Test
    void everyKeyHasAGroupADisplayNameAndADoc() {
        for (ConfigDef.ConfigKey key : RawArchiveConfig.CONFIG_DEF.configKeys().values()) {
            assertTrue(key.group != null && !key.group.isBlank(), key.name);
            assertTrue(key.displayName != null && !key.displayName.isBlank() && !key.displayName.equals(key.name), key.name);
            assertTrue(key.documentation != null && key.documentation.length() > 20, key.name);
            assertTrue(key.orderInGroup > 0, key.name);
        }
        assertEquals(ConfigDef.Type.PASSWORD, RawArchiveConfig.CONFIG_DEF.configKeys()
            .get(RawArchiveConfig.AWS_SECRET_ACCESS_KEY).type);
    }

    @Test
    void staticCredentialsAndAnEndpointMakeTheSettings() {
        Map<String, String> config = minimal();
        config.put(RawArchiveConfig.STORE_URL, "http://127.0.0.1:9000");
        config.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, "access");
        config.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, "secret");
        config.put(RawArchiveConfig.S3_PATH_STYLE, "false");
        S3Settings s3 = new RawArchiveConfig(config).s3Settings();
        assertEquals(URI.create("http://127.0.0.1:9000"), s3.endpoint());
        assertEquals("access", s3.accessKey());
        assertEquals("secret", s3.secretKey());
        assertTrue(!s3.pathStyle());
        assertTrue(!s3.toString().contains("secret"), "the secret never shows");
    }

    @Test
    void badValuesAreReportedAgainstTheirKeys() {
        Map<String, String> config = new HashMap<>();
        config.put(RawArchiveConfig.S3_BUCKET_NAME, "bucket/prefix");
        config.put(RawArchiveConfig.S3_REGION, "US East");
        config.put(RawArchiveConfig.STORE_URL, "minio:9000");
        config.put(RawArchiveConfig.PARTITIONER_CLASS, "io.confluent.connect.storage.partitioner.FieldPartitioner");
        config.put(RawArchiveConfig.PATH_FORMAT, "'year=YYYY");
        config.put(RawArchiveConfig.TIMEZONE, "Mars/Olympus");
        config.put(RawArchiveConfig.LOCALE, "!!");
        config.put(RawArchiveConfig.TIMESTAMP_EXTRACTOR, "Wallclock");
        config.put(RawArchiveConfig.FLUSH_SIZE, "0");
        config.put(RawArchiveConfig.ROTATE_INTERVAL_MS, "0");
        config.put(RawArchiveConfig.S3_PART_SIZE, "1048576");
        config.put(RawArchiveConfig.S3_COMPRESSION_LEVEL, "10");
        Map<String, List<String>> errors = errors(config);
        assertEquals(config.keySet(), errors.keySet(), errors.toString());
        assertTrue(errors.get(RawArchiveConfig.S3_BUCKET_NAME).get(0).contains("put a prefix in topics.dir"));
        assertTrue(errors.get(RawArchiveConfig.PARTITIONER_CLASS).get(0).contains(
            "io.confluent.connect.storage.partitioner.DefaultPartitioner"), errors.toString());
        assertTrue(errors.get(RawArchiveConfig.PATH_FORMAT).get(0).contains("unclosed quote"));
        assertTrue(errors.get(RawArchiveConfig.TIMESTAMP_EXTRACTOR).get(0).contains(
            "'Wallclock' is not supported: objects are cut and placed on the Kafka record timestamp only"),
            errors.toString());
        assertTrue(errors.get(RawArchiveConfig.ROTATE_INTERVAL_MS).get(0).contains("-1 (off) or at least 1"));
        assertEquals(List.of("Missing required configuration \"s3.bucket.name\" which has no default value."),
            errors(Map.of()).get(RawArchiveConfig.S3_BUCKET_NAME));
    }

    @Test
    void fixedSetsAreOfferedAsChoicesAndTimeKeysShowOnlyForTheTimePartitioner() {
        Map<String, ConfigValue> values = RawArchiveConfig.CONFIG_DEF.validateAll(minimal());
        assertEquals(List.of("io.confluent.connect.storage.partitioner.DefaultPartitioner", TIME),
            values.get(RawArchiveConfig.PARTITIONER_CLASS).recommendedValues());
        assertEquals(List.of("Record"), values.get(RawArchiveConfig.TIMESTAMP_EXTRACTOR).recommendedValues());
        assertEquals(11, values.get(RawArchiveConfig.S3_COMPRESSION_LEVEL).recommendedValues().size());
        assertTrue(!values.get(RawArchiveConfig.PATH_FORMAT).visible());
        Map<String, String> time = minimal();
        time.put(RawArchiveConfig.PARTITIONER_CLASS, TIME);
        Map<String, ConfigValue> timeValues = RawArchiveConfig.CONFIG_DEF.validateAll(time);
        assertTrue(timeValues.get(RawArchiveConfig.PATH_FORMAT).visible());
        assertTrue(timeValues.get(RawArchiveConfig.PARTITION_DURATION_MS).visible());
        // Validating twice must offer the same choices (ConfigDef narrows the list it gets in place).
        assertEquals(2, RawArchiveConfig.CONFIG_DEF.validateAll(time).get(RawArchiveConfig.PARTITIONER_CLASS)
            .recommendedValues().size());
    }

    @Test
    void crossFieldProblemsNameTheKeyToFix() {
        Map<String, String> config = minimal();
        config.put(RawArchiveConfig.PARTITIONER_CLASS, TIME);
        config.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, "access");
        config.put(RawArchiveConfig.S3_CONDITIONAL_WRITES, "false");
        config.put(RawArchiveConfig.S3_PART_SIZE, Integer.toString(100 << 20));
        config.put(RawArchiveConfig.RETRY_BACKOFF_MS, "10000");
        Map<String, String> problems = crossField(config);
        assertEquals(List.of(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, RawArchiveConfig.PATH_FORMAT,
            RawArchiveConfig.PARTITION_DURATION_MS, RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS,
            RawArchiveConfig.BUFFER_MAX_BYTES, RawArchiveConfig.RETRY_BACKOFF_MS), List.copyOf(problems.keySet()));
        assertTrue(problems.get(RawArchiveConfig.PATH_FORMAT).startsWith("is required with partitioner.class=" + TIME));
        assertTrue(problems.get(RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS).contains("zombie"));
        ConfigException first = assertThrows(ConfigException.class, () -> new RawArchiveConfig(config));
        assertTrue(first.getMessage().contains(RawArchiveConfig.AWS_SECRET_ACCESS_KEY), first.getMessage());

        Map<String, String> secretOnly = minimal();
        secretOnly.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, "secret");
        assertEquals(List.of(RawArchiveConfig.AWS_ACCESS_KEY_ID), List.copyOf(crossField(secretOnly).keySet()));
    }

    @Test
    void aCompleteTimeLayoutIsValidAndNamesObjectsByTheirFirstRecordsHour() {
        Map<String, String> config = minimal();
        config.put(RawArchiveConfig.PARTITIONER_CLASS, TIME);
        config.put(RawArchiveConfig.PATH_FORMAT, "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
        config.put(RawArchiveConfig.PARTITION_DURATION_MS, "3600000");
        config.put(RawArchiveConfig.TIMEZONE, "Europe/Berlin");
        config.put(RawArchiveConfig.LOCALE, "de-DE");
        config.put(RawArchiveConfig.TOPICS_DIR, "archive/raw");
        RawArchiveConfig parsed = new RawArchiveConfig(config);
        assertEquals("archive/raw/requests/year=2026/month=12/day=02/hour=06/requests+1+0000000042.json.gz",
            parsed.layout().objectKey("requests", 1, 42, java.time.Instant.parse("2026-12-02T05:47:11Z").toEpochMilli()));
        assertTrue(parsed.rotation().timeLayout());
    }

    @Test
    void aPathFormatWithTextThatDependsOnTheLocaleIsRefused() {
        Map<String, String> config = minimal();
        config.put(RawArchiveConfig.PARTITIONER_CLASS, TIME);
        config.put(RawArchiveConfig.PATH_FORMAT, "'month'=MMM");
        config.put(RawArchiveConfig.PARTITION_DURATION_MS, "86400000");
        config.put(RawArchiveConfig.LOCALE, "de");
        String problem = crossField(config).get(RawArchiveConfig.LOCALE);
        assertTrue(problem != null && problem.contains("use numeric fields"), String.valueOf(problem));
        config.put(RawArchiveConfig.LOCALE, "en-US");
        assertNull(crossField(config).get(RawArchiveConfig.LOCALE), "English month names are the root locale's");
    }

    @Test
    void theConnectorReportsEveryCrossFieldProblemBeforeProbingTheBucket() {
        Map<String, String> config = minimal();
        config.put(RawArchiveConfig.PARTITIONER_CLASS, TIME);
        config.put(RawArchiveConfig.STORE_URL, "http://127.0.0.1:1");
        Config result = new RawArchiveSinkConnector().validate(config);
        Map<String, List<String>> errors = result.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
            .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
        assertEquals(Map.of(RawArchiveConfig.PATH_FORMAT, List.of(crossField(config).get(RawArchiveConfig.PATH_FORMAT)),
            RawArchiveConfig.PARTITION_DURATION_MS, List.of(crossField(config).get(RawArchiveConfig.PARTITION_DURATION_MS))),
            errors);
    }

    @Test
    void aStoreThatDoesNotAnswerIsAWarningNotAnError() {
        Map<String, String> config = minimal();
        config.put(RawArchiveConfig.STORE_URL, "http://127.0.0.1:1");
        config.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, "access");
        config.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, "secret");
        Config result = new RawArchiveSinkConnector().validate(config);
        for (ConfigValue value : result.configValues()) {
            assertEquals(List.of(), value.errorMessages(), value.name());
        }
    }

    @Test
    void anUnknownHostIsAnErrorAgainstTheEndpoint() {
        Map<String, String> config = minimal();
        config.put(RawArchiveConfig.STORE_URL, "http://no-such-host.invalid:9000");
        config.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, "access");
        config.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, "secret");
        Config result = new RawArchiveSinkConnector().validate(config);
        ConfigValue url = result.configValues().stream().filter(v -> v.name().equals(RawArchiveConfig.STORE_URL))
            .findFirst().orElseThrow();
        assertEquals(1, url.errorMessages().size(), url.toString());
        assertTrue(url.errorMessages().get(0).contains("unknown host"), url.errorMessages().get(0));
    }

    @Test
    void taskConfigsNumberTheTasks() {
        RawArchiveSinkConnector connector = new RawArchiveSinkConnector();
        connector.start(minimal());
        List<Map<String, String>> configs = connector.taskConfigs(3);
        assertEquals(List.of("0", "1", "2"), configs.stream().map(c -> c.get(CheckedSinkConnector.TASK_ID)).toList());
        assertEquals("request-archive", configs.get(2).get(RawArchiveConfig.S3_BUCKET_NAME));
        assertEquals(RawArchiveSinkTask.class, connector.taskClass());
    }
}
