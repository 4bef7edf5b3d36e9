package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** The worker's part of the live path, done to archived records: converters, then transforms with predicates. */
class WorkerConversionTest {

    private static Map<String, String> sink() {
        Map<String, String> config = new HashMap<>();
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        return config;
    }

    private static RawRecord raw(String key, String value, long offset) {
        return new RawRecord("requests", 3, offset, 1_764_651_127_000L, "LogAppendTime",
            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            List.of(new RawRecord.Header("source", "web".getBytes(StandardCharsets.UTF_8))),
            value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void recordsCarryTheArchivedPlaceTimeKeyValueAndHeaders() throws Exception {
        try (WorkerConversion conversion = WorkerConversion.configure(sink())) {
            SinkRecord record = conversion.convert(raw("abc", "{\"id\":\"abc\",\"clicks\":\"+1\",\"price\":2.45}", 42));
            assertEquals("requests", record.topic());
            assertEquals(3, record.kafkaPartition());
            assertEquals(42, record.kafkaOffset());
            assertEquals(42, record.originalKafkaOffset());
            assertEquals(1_764_651_127_000L, record.timestamp());
            assertEquals(TimestampType.LOG_APPEND_TIME, record.timestampType());
            assertEquals("abc", record.key());
            assertEquals(Map.of("id", "abc", "clicks", "+1", "price", 2.45), record.value());
            assertEquals("web", record.headers().lastWithName("source").value());
        }
    }

    @Test
    void transformsRunInOrderWithTheirPredicates() throws Exception {
        Map<String, String> config = sink();
        config.put("transforms", "dropTombstones,rename,mark");
        config.put("transforms.dropTombstones.type", "org.apache.kafka.connect.transforms.Filter");
        config.put("transforms.dropTombstones.predicate", "isTombstone");
        config.put("transforms.rename.type", "org.apache.kafka.connect.transforms.RegexRouter");
        config.put("transforms.rename.regex", "requests");
        config.put("transforms.rename.replacement", "renamed");
        config.put("transforms.mark.type", "org.apache.kafka.connect.transforms.InsertField$Value");
        config.put("transforms.mark.static.field", "checked");
        config.put("transforms.mark.static.value", "yes");
        config.put("transforms.mark.predicate", "isTombstone");
        config.put("transforms.mark.negate", "true");
        config.put("predicates", "isTombstone");
        config.put("predicates.isTombstone.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone");
        try (WorkerConversion conversion = WorkerConversion.configure(config)) {
            assertNull(conversion.convert(raw("abc", null, 1)), "the filter drops tombstones only");
            SinkRecord record = conversion.convert(raw("abc", "{\"id\":\"abc\"}", 2));
            assertEquals("renamed", record.topic());
            assertEquals("requests", record.originalTopic(), "offsets stay tracked on the original partition");
            assertEquals(Map.of("id", "abc", "checked", "yes"), record.value());
            assertEquals(List.of("dropTombstones", "rename", "mark"), conversion.transforms());
        }
    }

    @Test
    void aConverterFailureNamesItsStageAndTypeNotTheContent() throws Exception {
        try (WorkerConversion conversion = WorkerConversion.configure(sink())) {
            WorkerConversion.ConversionFailure failure = assertThrows(WorkerConversion.ConversionFailure.class,
                () -> conversion.convert(raw("abc", "{not json 89.160.20.128", 3)));
            assertEquals("value converter", failure.stage());
            assertEquals("value converter failed: org.apache.kafka.connect.errors.DataException", failure.getMessage());
        }
    }

    @Test
    void configurationProblemsNameTheKey() {
        Map<String, String> config = sink();
        config.remove("key.converter");
        assertTrue(assertThrows(ArchiveSource.ConfigProblem.class, () -> WorkerConversion.configure(config)).getMessage()
            .startsWith("key.converter: is missing: without it the live connector used the worker's key.converter"));
        Map<String, String> unknown = sink();
        unknown.put("transforms", "x");
        unknown.put("transforms.x.type", "com.example.Nope");
        assertEquals("transforms.x.type: class com.example.Nope is not on the classpath; add the jars that provide it (from "
            + "the worker's plugin.path or libs/) to the classpath",
            assertThrows(ArchiveSource.ConfigProblem.class, () -> WorkerConversion.configure(unknown)).getMessage());
        Map<String, String> refused = sink();
        refused.put("transforms", "r");
        refused.put("transforms.r.type", "org.apache.kafka.connect.transforms.RegexRouter");
        assertTrue(assertThrows(ArchiveSource.ConfigProblem.class, () -> WorkerConversion.configure(refused)).getMessage()
            .startsWith("transforms.r.type: refuses its settings: "));
        Map<String, String> provider = sink();
        provider.put("transforms", "e");
        provider.put("transforms.e.type", "io.github.requestmerge.enrich.Enrich$Value");
        provider.put("transforms.e.geoip.database.path", "${file:/etc/geo.properties:path}");
        assertTrue(assertThrows(ArchiveSource.ConfigProblem.class, () -> WorkerConversion.configure(provider)).getMessage()
            .startsWith("transforms.e.geoip.database.path: refers to a config provider"));
    }
}
