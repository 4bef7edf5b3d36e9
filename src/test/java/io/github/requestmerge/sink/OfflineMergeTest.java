package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.elastic.ElasticErrors;
import io.github.requestmerge.merge.Merger;
import io.github.requestmerge.merge.StateJson;
import io.github.requestmerge.merge.StringPool;
import io.github.requestmerge.retry.Availability;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.testing.Documents;

/** The replay's facade is the sink's own path: the same records give the writer's documents and rejections. */
class OfflineMergeTest {

    private static final Map<String, String> CONFIG = Map.of("connection.urls", "http://localhost:9200",
        "index.name", "requests", "merge.field.rules", "tags:union");

    private final OfflineMerge merge = new OfflineMerge(new RequestMergeSinkConfig(CONFIG));

    private static SinkRecord record(int partition, long offset, String key, Object value, long timestamp) {
        return new SinkRecord("requests", partition, null, key, null, value, offset, timestamp, TimestampType.CREATE_TIME);
    }

    private static Map<String, Object> fields(Object... pairs) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put((String) pairs[i], pairs[i + 1]);
        }
        return fields;
    }

    @Test
    void aDocumentExistsFromItsFirstEventUntilATombstone() {
        OfflineMerge.Document doc = new OfflineMerge.Document();
        assertFalse(doc.exists());
        OfflineMerge.Change first = merge.convert(record(0, 5, "a", fields("clicks", "+2"), 1_000));
        assertEquals("requests", first.index());
        assertEquals("a", first.id());
        assertEquals("requests/0", first.source());
        assertEquals(OfflineMerge.Outcome.MERGED, merge.merge(doc, first));
        assertTrue(doc.exists());
        assertEquals(OfflineMerge.Outcome.DUPLICATE, merge.merge(doc, first), "at or below its mark");
        assertEquals(OfflineMerge.Outcome.DELETED, merge.merge(doc, merge.convert(record(0, 6, "a", null, 2_000))));
        assertFalse(doc.exists());
        assertEquals(OfflineMerge.Outcome.MERGED, merge.merge(doc, merge.convert(record(0, 9, "a", fields("clicks", "+1"),
            3_000))));
        assertEquals("{\"clicks\":1,\"created_at\":\"1970-01-01T00:00:03Z\",\"updated_at\":\"1970-01-01T00:00:03Z\","
            + "\"_merge\":{\"offsets\":{\"requests/0\":9}}}", new String(merge.write(doc), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void rejectionsReadAsTheTasksDo() {
        assertEquals("topic requests partition 0 offset 1: record key: no id (null)", assertThrows(BadRecordException.class,
            () -> merge.convert(record(0, 1, null, fields("clicks", "+1"), 1_000))).getMessage());
        OfflineMerge.Document doc = new OfflineMerge.Document();
        merge.merge(doc, merge.convert(record(0, 2, "a", fields("status", "new"), 1_000)));
        BadRecordException conflict = assertThrows(BadRecordException.class,
            () -> merge.merge(doc, merge.convert(record(0, 3, "a", fields("status", "+2", "clicks", "+1"), 1_000))));
        assertEquals("topic requests partition 0 offset 3: id 'a': field 'status': delta +2 on a field holding a string, "
            + "not a number", conflict.getMessage());
        assertNull(doc.state().fields().get("clicks"), "the conflicting event is rejected as a whole");
    }

    /** Random records (deltas, unions, conflicts, tombstones, bad ones) through the writer in random batches, and offline. */
    @Test
    void aRandomStreamGivesTheWritersDocumentsAndRejections() throws Exception {
        Random random = new Random(7);
        List<SinkRecord> records = new ArrayList<>();
        Map<Integer, Long> offsets = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            int partition = random.nextInt(2);
            long offset = offsets.merge(partition, 1L, Long::sum);
            String id = "id" + random.nextInt(40);
            int kind = random.nextInt(20);
            Object value;
            if (kind == 0) {
                value = null;
            } else if (kind == 1) {
                value = fields("domain", "+1", "clicks", "+5");
            } else if (kind == 2) {
                value = List.of(1, 2);
            } else if (kind == 3) {
                value = fields("tags", List.of("t" + random.nextInt(4)));
            } else {
                value = fields("domain", "d" + random.nextInt(3), "clicks", "+" + random.nextInt(4), "price",
                    new java.math.BigDecimal(random.nextInt(500)).movePointLeft(2));
            }
            records.add(record(partition, offset, kind == 4 && random.nextInt(10) == 0 ? null : id, value,
                1_000_000 + random.nextInt(100_000)));
        }

        // The live path: the task's conversion, the writer's merge and writes, batches of random size.
        InMemoryStore store = new InMemoryStore();
        RequestMergeSinkConfig config = new RequestMergeSinkConfig(CONFIG);
        RecordEvents events = new RecordEvents(config.idField(), config.timestampField(), config.indexNames(),
            config.tombstoneBehavior(), StringPool.shared());
        MergeWriter writer = new MergeWriter(new Merger(config.mergeRules(), StringPool.shared()),
            new StateJson(config.mergeRules(), StringPool.shared()), new StateCache(10, 1 << 20, Duration.ofHours(1)), store,
            new Retry(Duration.ofMillis(1), Duration.ofMillis(1), null, Retry.Jitter.EQUAL, d -> { }, new Random(1),
                Availability.of("test", "Elasticsearch"), ElasticErrors.CLASSIFIER), 7, 1 << 20, new SinkTaskMetrics());
        Map<Long, String> liveRejected = new TreeMap<>();
        LinkedHashMap<DocKey, List<Pending>> groups = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            SinkRecord record = records.get(i);
            try {
                Pending pending = events.convert(record);
                if (pending != null) {
                    groups.computeIfAbsent(pending.key(), k -> new ArrayList<>()).add(pending);
                }
            } catch (BadRecordException e) {
                liveRejected.put(record.kafkaPartition() * 100_000L + record.kafkaOffset(), e.getMessage());
            }
            if (random.nextInt(50) == 0 || i == records.size() - 1) {
                FlushResult result = writer.flush(new Batch(groups, Map.of(new TopicPartition("requests", 0), 0L), 0));
                for (FlushResult.Rejected rejected : result.rejected()) {
                    liveRejected.put(rejected.record().kafkaPartition() * 100_000L + rejected.record().kafkaOffset(),
                        rejected.error().getMessage());
                }
                groups = new LinkedHashMap<>();
            }
        }

        // Offline: the same records, one after the other.
        Map<String, OfflineMerge.Document> docs = new HashMap<>();
        Map<Long, String> offlineRejected = new TreeMap<>();
        for (SinkRecord record : records) {
            try {
                OfflineMerge.Change change = merge.convert(record);
                if (change != null) {
                    merge.merge(docs.computeIfAbsent(change.id(), id -> new OfflineMerge.Document()), change);
                }
            } catch (BadRecordException e) {
                offlineRejected.put(record.kafkaPartition() * 100_000L + record.kafkaOffset(), e.getMessage());
            }
        }

        assertEquals(liveRejected, offlineRejected);
        assertTrue(liveRejected.size() > 100, "the stream has bad records of every kind");
        for (int i = 0; i < 40; i++) {
            String id = "id" + i;
            OfflineMerge.Document doc = docs.get(id);
            JsonNode live = store.get(id);
            if (doc == null || !doc.exists()) {
                assertNull(live, id);
            } else {
                assertEquals(live, Documents.JSON.readTree(merge.write(doc)), id);
            }
        }
    }
}
