package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ArchiveSourceTest {

    private static Map<String, String> plugin() {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", ArchiveSource.PLUGIN_CONNECTOR);
        config.put("topics", "requests, clicks");
        config.put("s3.bucket.name", "request-archive");
        config.put("store.url", "http://127.0.0.1:9000");
        config.put("aws.access.key.id", "key");
        config.put("aws.secret.access.key", "secret");
        return config;
    }

    /** As config/raw-archive-confluent-s3.json configures Confluent's S3 sink. */
    private static Map<String, String> confluent() {
        Map<String, String> config = plugin();
        config.put("connector.class", ArchiveSource.CONFLUENT_CONNECTOR);
        config.put("format.class", "io.confluent.connect.s3.format.json.JsonFormat");
        config.put("s3.compression.type", "gzip");
        config.put("store.kafka.keys", "true");
        config.put("keys.format.class", "io.confluent.connect.s3.format.json.JsonFormat");
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        config.put("transforms", "stamp");
        config.put("transforms.stamp.type", "org.apache.kafka.connect.transforms.InsertField$Value");
        config.put("transforms.stamp.topic.field", "_kafka_topic");
        config.put("transforms.stamp.partition.field", "_kafka_partition");
        config.put("transforms.stamp.offset.field", "_kafka_offset!");
        config.put("transforms.stamp.timestamp.field", "_kafka_timestamp");
        return config;
    }

    private static String problem(Map<String, String> config) {
        ArchiveSource.ConfigProblem problem = assertThrows(ArchiveSource.ConfigProblem.class, () -> ArchiveSource.parse(config));
        return problem.getMessage();
    }

    @Test
    void thePluginsArchiveIsReadWithConfluentsKeyNames() {
        ArchiveSource source = ArchiveSource.parse(plugin());
        assertEquals(ArchiveSource.Format.PLUGIN, source.format());
        assertEquals(java.util.List.of("requests", "clicks"), source.topics());
        assertEquals("request-archive", source.s3().bucket());
        assertEquals("us-east-1", source.s3().region());
        assertEquals(URI.create("http://127.0.0.1:9000"), source.s3().endpoint());
        assertTrue(source.s3().pathStyle());
        assertEquals("topics/requests/", source.layout().prefix("requests"));
        assertEquals(".json.gz", source.extension());
        assertNull(source.stamps());
    }

    @Test
    void confluentsArchiveNamesItsStampFields() {
        ArchiveSource source = ArchiveSource.parse(confluent());
        assertEquals(ArchiveSource.Format.CONFLUENT_JSON, source.format());
        assertEquals(new ArchiveSource.Stamps("_kafka_topic", "_kafka_partition", "_kafka_offset", "_kafka_timestamp"),
            source.stamps());
        assertTrue(source.keysStored());
    }

    @Test
    void whatCannotBeReadIsNamedByItsKey() {
        Map<String, String> config = plugin();
        config.remove("s3.bucket.name");
        assertEquals("s3.bucket.name: is missing", problem(config));
        config = plugin();
        config.put("store.url", "minio:9000");
        assertEquals("store.url: 'minio:9000' is not an http(s) URL with a host, e.g. http://minio:9000", problem(config));
        config = plugin();
        config.remove("aws.secret.access.key");
        assertTrue(problem(config).startsWith("aws.secret.access.key: give both"));
        config = plugin();
        config.put("aws.secret.access.key", "${file:/etc/secrets.properties:s3.secret}");
        assertTrue(problem(config).startsWith("aws.secret.access.key: refers to a config provider"));
        config = plugin();
        config.put("connector.class", "io.confluent.connect.hdfs.HdfsSinkConnector");
        assertTrue(problem(config).startsWith("connector.class: 'io.confluent.connect.hdfs.HdfsSinkConnector' is not an "
            + "archive connector"));
        config = plugin();
        config.put("partitioner.class", "io.confluent.connect.storage.partitioner.FieldPartitioner");
        assertTrue(problem(config).startsWith("partitioner.class: "));

        config = confluent();
        config.put("format.class", "io.confluent.connect.s3.format.avro.AvroFormat");
        assertTrue(problem(config).startsWith("format.class: 'io.confluent.connect.s3.format.avro.AvroFormat': only"));
        config = confluent();
        config.remove("transforms.stamp.offset.field");
        assertTrue(problem(config).startsWith("transforms.stamp.offset.field: is missing"));
        config = confluent();
        config.put("value.converter.schemas.enable", "true");
        assertTrue(problem(config).startsWith("value.converter: "));
        config = confluent();
        config.put("transforms", "stamp,mask");
        config.put("transforms.mask.type", "org.apache.kafka.connect.transforms.MaskField$Value");
        assertTrue(problem(config).startsWith("transforms: "));
    }

    @Test
    void timeLayoutsSkipPathsOnlyWhenTheirTimesAreRecordTimes() {
        Map<String, String> config = plugin();
        config.put("partitioner.class", "io.confluent.connect.storage.partitioner.HourlyPartitioner");
        config.put("timezone", "Europe/Berlin");
        ArchiveSource source = ArchiveSource.parse(config);
        assertEquals(ArchiveLayout.Partitioning.TIME, source.layout().partitioning());
        assertEquals(3_600_000L, source.partitionDurationMs());
        assertTrue(source.recordTimePaths());
        config.remove("timezone");
        assertFalse(ArchiveSource.parse(config).recordTimePaths(), "without its zone a path cannot be read back");

        config = confluent();
        config.put("partitioner.class", "io.confluent.connect.storage.partitioner.TimeBasedPartitioner");
        config.put("path.format", "'dt'=YYYY-MM-dd/'hour'=HH");
        config.put("partition.duration.ms", "3600000");
        config.put("timezone", "UTC");
        assertFalse(ArchiveSource.parse(config).recordTimePaths(), "Confluent's default extractor is the wall clock");
        config.put("timestamp.extractor", "Record");
        assertTrue(ArchiveSource.parse(config).recordTimePaths());
        config.put("timezone", "Mars/Olympus");
        assertTrue(problem(config).startsWith("timezone: "));
    }

    @Test
    void pathsAreReadBackIntoTheStartOfTheirWindow() {
        ArchiveListing.PathTimes utc = new ArchiveListing.PathTimes("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
            ZoneId.of("UTC"));
        assertEquals(Instant.parse("2026-12-02T05:00:00Z").toEpochMilli(), utc.start("year=2026/month=12/day=02/hour=05"));
        ArchiveListing.PathTimes berlin = new ArchiveListing.PathTimes("'dt'=YYYY-MM-dd", ZoneId.of("Europe/Berlin"));
        assertEquals(Instant.parse("2026-12-01T23:00:00Z").toEpochMilli(), berlin.start("dt=2026-12-02"));
        assertNull(utc.start("partition=3"));
    }
}
