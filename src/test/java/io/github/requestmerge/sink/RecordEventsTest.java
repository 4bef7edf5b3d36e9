package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.elastic.IndexNames;
import io.github.requestmerge.merge.StringPool;

class RecordEventsTest {

    private final RecordEvents byKey = new RecordEvents(null, null, IndexNames.parse("req-${topic}"),
        TombstoneBehavior.DELETE, StringPool.none());

    @Test
    void schemalessRecordBecomesAnEventOfItsKey() {
        Pending pending = byKey.convert(record(42L, Map.of("clicks", "+1"), 7));
        assertEquals("42", pending.key().id());
        assertEquals("req-requests", pending.key().index());
        assertEquals("requests/0", pending.event().source());
        assertEquals(7, pending.event().offset());
        assertEquals(5_000L, pending.event().timestamp());
    }

    @Test
    void structRecordBecomesNestedMapsWithExactDecimalsAndIsoTimes() {
        Schema geo = SchemaBuilder.struct().field("city", Schema.STRING_SCHEMA).build();
        Schema schema = SchemaBuilder.struct()
            .field("id", Schema.STRING_SCHEMA)
            .field("price", Decimal.schema(2))
            .field("seen", Timestamp.SCHEMA)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .field("geo", geo)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
        Struct value = new Struct(schema).put("id", "s1").put("price", new BigDecimal("2.45"))
            .put("seen", new Date(0)).put("tags", List.of("a")).put("geo", new Struct(geo).put("city", "Berlin"));
        RecordEvents byField = new RecordEvents(new String[] {"id"}, new String[] {"seen"}, IndexNames.parse("r"),
            TombstoneBehavior.DELETE, StringPool.none());
        Pending pending = byField.convert(new SinkRecord("requests", 0, null, null, schema, value, 1));
        assertEquals("s1", pending.key().id());
        Map<?, ?> fields = pending.event().fields();
        assertEquals(new BigDecimal("2.45"), fields.get("price"));
        assertEquals("1970-01-01T00:00:00Z", fields.get("seen"));
        assertEquals(List.of("a"), fields.get("tags"));
        assertEquals(Map.of("city", "Berlin"), fields.get("geo"));
        assertEquals(false, fields.containsKey("note"));
        assertEquals(0L, pending.event().timestamp());
    }

    @Test
    void anIdFieldAndATimeFieldAreReadFromTheValue() {
        RecordEvents byField = new RecordEvents(new String[] {"request", "id"}, new String[] {"ts"}, IndexNames.parse("r"),
            TombstoneBehavior.DELETE, StringPool.none());
        Pending pending = byField.convert(record("ignored", Map.of("request", Map.of("id", "r9"),
            "ts", "2026-11-27T10:00:00+01:00"), 0));
        assertEquals("r9", pending.key().id());
        assertEquals(java.time.Instant.parse("2026-11-27T09:00:00Z").toEpochMilli(), pending.event().timestamp());
        BadRecordException e = assertThrows(BadRecordException.class,
            () -> byField.convert(record("k", Map.of("request", Map.of("id", "r9"), "ts", "yesterday"), 3)));
        assertEquals("topic requests partition 0 offset 3: field 'ts': 'yesterday' is not an ISO-8601 time with an offset",
            e.getMessage());
        e = assertThrows(BadRecordException.class, () -> byField.convert(record("k", Map.of("ts", 1), 4)));
        assertEquals("topic requests partition 0 offset 4: field 'request.id': no id (null)", e.getMessage());
    }

    @Test
    void tombstonesDeleteIgnoreOrFailAsConfigured() {
        assertNull(byKey.convert(record("a", null, 0)).event());
        RecordEvents ignoring = new RecordEvents(null, null, IndexNames.parse("r"), TombstoneBehavior.IGNORE,
            StringPool.none());
        assertNull(ignoring.convert(record("a", null, 0)));
        RecordEvents failing = new RecordEvents(null, null, IndexNames.parse("r"), TombstoneBehavior.FAIL,
            StringPool.none());
        assertEquals("topic requests partition 0 offset 2: a tombstone (null value), and merge.tombstone.behavior=fail",
            assertThrows(BadRecordException.class, () -> failing.convert(record("a", null, 2))).getMessage());
    }

    @Test
    void wrongIdsAndValuesAreBadRecordsNamingWhere() {
        assertEquals("topic requests partition 0 offset 1: record key: id must be a string or an integer, found Double",
            assertThrows(BadRecordException.class, () -> byKey.convert(record(1.5, Map.of(), 1))).getMessage());
        assertEquals("topic requests partition 0 offset 2: the value must be a JSON object or a Struct, found a number",
            assertThrows(BadRecordException.class, () -> byKey.convert(record("a", 12, 2))).getMessage());
    }

    private static SinkRecord record(Object key, Object value, long offset) {
        return new SinkRecord("requests", 0, null, key, null, value, offset, 5_000L, TimestampType.CREATE_TIME);
    }
}
