package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.Waits;

/**
 * The sink task against a real Elasticsearch node, driven directly (no worker) so a test can
 * replay, interleave and crash tasks precisely. What Connect itself adds is covered by
 * {@code RequestMergeSinkIT}.
 */
@ExtendWith(Stack.class)
class MergeSinkTaskIT {

    private static final String TOPIC = "requests";
    private static final com.fasterxml.jackson.databind.ObjectMapper PLAIN_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final List<RequestMergeSinkTask> tasks = new ArrayList<>();
    private Documents documents;
    private String index;

    @BeforeEach
    void setUp(TestInfo test) {
        documents = new Documents(Stack.elasticsearch().url());
        index = "it-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    @AfterEach
    void stopTasks() {
        tasks.forEach(RequestMergeSinkTask::stop);
    }

    @Test
    void issueExampleBecomesOneDocument() {
        RequestMergeSinkTask task = start(Map.of());
        task.put(List.of(
            record(0, 0, "abc123", "{\"id\":\"abc123\",\"source\":2,\"ipaddress\":\"203.0.113.7\",\"useragent\":\"Mozilla/5.0\","
                + "\"domain\":\"somewhere.net\",\"clicks\":\"+1\",\"impressions\":\"+5\",\"price\":2.45}", 1_000),
            record(0, 1, "abc123", "{\"id\":\"abc123\",\"clicks\":\"+3\",\"impressions\":\"+2\"}", 2_000),
            record(0, 2, "abc123", "{\"id\":\"abc123\",\"impressions\":\"+2\",\"uptick\":4.50}", 3_000)));
        Map<TopicPartition, OffsetAndMetadata> committed = commit(task);

        JsonNode doc = documents.get(index, "abc123");
        assertNotNull(doc);
        assertTrue(Documents.JSON.createObjectNode().put("id", "abc123").put("source", 2).put("ipaddress", "203.0.113.7")
            .put("useragent", "Mozilla/5.0").put("domain", "somewhere.net").put("clicks", 4).put("impressions", 9)
            .put("price", 2.45).put("uptick", 4.5).put("created_at", "1970-01-01T00:00:01Z")
            .put("updated_at", "1970-01-01T00:00:03Z")
            .equals(RequestTimeline.NUMERIC, without(doc, "_merge")), doc.toString());
        assertEquals(2, doc.at("/_merge/offsets/requests~10").asLong());
        assertEquals(3, committed.get(new TopicPartition(TOPIC, 0)).offset());
    }

    @Test
    void aTaskHoldsItsEventsPausedWhileElasticsearchIsDownAndResumesByItself() {
        TaskContext context = new TaskContext(Map.of(), true);
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        context.assignment.add(partition);
        RequestMergeSinkTask task = start(Map.of(RequestMergeSinkConfig.BUFFER_MAX_EVENTS, "40",
            RequestMergeSinkConfig.FLUSH_MAX_EVENTS, "40", RequestMergeSinkConfig.RETRY_BACKOFF_MAX_MS, "500"), context);
        task.put(List.of(record(0, 0, "held", "{\"clicks\":\"+1\"}", 1_000)));
        commit(task);
        Stack.elasticsearch().stop();
        try {
            for (int batch = 0; batch < 3; batch++) {
                List<SinkRecord> records = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    long offset = 1 + batch * 20L + i;
                    records.add(record(0, offset, "held", "{\"clicks\":\"+1\"}", 1_000 + offset));
                }
                task.put(records);
            }
            assertEquals(java.util.Set.of(partition), context.paused, "the full buffer paused consumption");
            assertTrue(task.preCommit(Map.of(partition, new OffsetAndMetadata(0))).get(partition).offset() <= 1,
                "nothing written during the outage is committed");
        } finally {
            Stack.elasticsearch().restart();
        }
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!context.paused.isEmpty() || !task.metrics().getElasticsearchAvailable()) {
            assertTrue(System.nanoTime() < deadline, "consumption did not resume after the restart");
            task.put(List.of());
            Waits.sleep(100);
        }
        assertEquals(61, commit(task).get(partition).offset());
        assertEquals(61, documents.get(index, "held").get("clicks").asInt());
        assertEquals(1, task.metrics().getElasticsearchOutages());
    }

    @Test
    void metricsAreReadableOverJmx() throws Exception {
        RequestMergeSinkTask task = start(Map.of());
        task.put(List.of(record(0, 0, "a", "{\"clicks\":\"+1\"}", System.currentTimeMillis()),
            record(0, 1, "a", "{\"clicks\":\"+1\"}", System.currentTimeMillis()),
            record(0, 2, "a", "{\"clicks\":\"+1\"}", System.currentTimeMillis() - 5_000)));
        commit(task);
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName name = new javax.management.ObjectName(
            "io.github.requestmerge:type=sink-task-metrics,connector=\"" + index + "\",task=\"0\"");
        assertEquals(3L, server.getAttribute(name, "EventsReceived"));
        assertEquals(3L, server.getAttribute(name, "EventsMerged"));
        assertEquals(1L, server.getAttribute(name, "DocumentsWritten"));
        assertEquals(3.0, server.getAttribute(name, "CoalescingRatio"));
        assertEquals(1L, server.getAttribute(name, "CacheSize"));
        assertEquals(1L, server.getAttribute(name, "MultiGetRequests"));
        assertTrue((Long) server.getAttribute(name, "ReportingLagMaxMs") >= 5_000);
        task.stop();
        tasks.remove(task);
        assertTrue(!server.isRegistered(name), "unregistered when the task stops");
    }

    @Test
    void manyIdsOverPartitionsMergeExactly() {
        RequestTimeline timeline = new RequestTimeline(300, 6, 3, 7);
        RequestMergeSinkTask task = start(Map.of());
        putInBatches(task, records(timeline), 97);
        commit(task);
        assertAllMatch(timeline);
        assertEquals(300, documents.count(index));
        assertEquals(1800, task.metrics().getEventsMerged());
        assertTrue(task.metrics().getDocumentsWritten() < 1800, "events of one id between flushes are coalesced");
    }

    @Test
    void replayedEventsAfterACrashAreCountedOnce() {
        RequestTimeline timeline = new RequestTimeline(200, 8, 2, 11);
        List<SinkRecord> records = records(timeline);
        RequestMergeSinkTask first = start(Map.of());
        putInBatches(first, records.subList(0, 1000), 100);
        commit(first);
        putInBatches(first, records.subList(1000, 1300), 100);
        // Documents were written (linger), but the task dies before the offsets are committed.
        awaitWritten(first, 1300);
        first.stop();
        tasks.remove(first);

        RequestMergeSinkTask second = start(Map.of());
        // Connect redelivers from the last commit; here even from the very start, the worst case.
        putInBatches(second, records, 100);
        commit(second);
        assertAllMatch(timeline);
        assertEquals(1300, second.metrics().getEventsDuplicate());
    }

    @Test
    void zombieTaskAndNewOwnerWritingTheSameIdsCountEachEventOnce() {
        RequestTimeline timeline = new RequestTimeline(50, 20, 1, 13);
        List<SinkRecord> records = records(timeline);
        RequestMergeSinkTask zombie = start(Map.of());
        RequestMergeSinkTask owner = start(Map.of());
        putInBatches(zombie, records.subList(0, 300), 50);
        commit(zombie);
        // After a rebalance the new owner starts from the committed offset, while the old one still
        // writes what it had: both caches are stale for each other, so writes conflict and reload.
        putInBatches(owner, records.subList(300, 700), 50);
        commit(owner);
        putInBatches(zombie, records.subList(300, 600), 50);
        commit(zombie);
        putInBatches(owner, records.subList(700, 1000), 50);
        commit(owner);
        assertAllMatch(timeline);
        assertTrue(zombie.metrics().getWriteConflicts() > 0, "the zombie's stale writes were refused");
    }

    @Test
    void documentsEvictedFromTheCacheAreReadBackAndMergedOn() {
        RequestTimeline timeline = new RequestTimeline(400, 5, 2, 17);
        RequestMergeSinkTask task = start(Map.of(RequestMergeSinkConfig.CACHE_MAX_ENTRIES, "10"));
        List<SinkRecord> records = records(timeline);
        for (int from = 0; from < records.size(); from += 50) {
            // One flush per 50 events, so most ids come back after they were evicted.
            task.put(new ArrayList<>(records.subList(from, from + 50)));
            commit(task);
        }
        assertAllMatch(timeline);
        assertTrue(task.metrics().getCacheSize() <= 10, "cache size " + task.metrics().getCacheSize());
        assertTrue(task.metrics().getCacheMisses() > 400, "misses " + task.metrics().getCacheMisses() + ", hits "
            + task.metrics().getCacheHits());
    }

    @Test
    void newIdsAreWrittenWithoutAReadAndExistingOnesMissingFromTheCacheAreMergedOnce() {
        // A previous owner of partition 0 wrote e0..e19 and died before committing its offsets.
        RequestMergeSinkTask previous = start(Map.of());
        List<SinkRecord> written = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            written.add(record(0, i, "e" + i, "{\"clicks\":\"+1\"}", 1_000));
        }
        previous.put(written);
        previous.flushAndDrain();
        previous.stop();
        tasks.remove(previous);

        RequestMergeSinkTask task = start(Map.of());
        List<SinkRecord> fresh = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            fresh.add(record(1, i, "n" + i, "{\"clicks\":\"+1\"}", 1_000));
        }
        // Read first, as after any start; the reads find none of them, so new ids are created first from now on.
        putInBatches(task, fresh, 500);
        commit(task);
        long read = task.metrics().getMultiGetDocuments();
        List<SinkRecord> mixed = new ArrayList<>(written);
        for (int i = 0; i < 20; i++) {
            mixed.add(record(0, 20 + i, "e" + i, "{\"clicks\":\"+2\"}", 2_000));
            mixed.add(record(1, 2000 + i, "m" + i, "{\"clicks\":\"+3\"}", 2_000));
        }
        // The partition's redelivered events, new ones of the same ids, and new ids.
        task.put(mixed);
        commit(task);
        for (int i = 0; i < 20; i++) {
            assertEquals(3, documents.get(index, "e" + i).get("clicks").asInt(), "e" + i);
            assertEquals(3, documents.get(index, "m" + i).get("clicks").asInt(), "m" + i);
        }
        assertEquals(20, task.metrics().getCreateConflicts(), "each existing id refused its create once");
        assertEquals(20, task.metrics().getMultiGetDocuments() - read, "only the existing ids were read");
        assertEquals(20, task.metrics().getEventsDuplicate());
        assertEquals(0, task.metrics().getWriteConflicts());
    }

    @Test
    void badRecordsGoToTheErrorHandlerWithReasonsWhileGoodOnesLand() {
        TaskContext context = new TaskContext(Map.of(), true);
        RequestMergeSinkTask task = start(Map.of(), context);
        task.put(List.of(
            record(0, 0, "good", "{\"status\":\"new\",\"clicks\":\"+1\"}", 1_000),
            record(0, 1, null, "{\"clicks\":\"+1\"}", 1_000),
            new SinkRecord(TOPIC, 0, null, "k", null, "not an object", 2, 1_000L, TimestampType.CREATE_TIME),
            record(0, 3, "good", "{\"status\":\"+1\"}", 1_000),
            record(0, 4, "good", "{\"clicks\":\"+2\"}", 2_000),
            record(0, 5, "   ", "{\"clicks\":\"+2\"}", 2_000)));
        commit(task);
        Map<Long, String> reasons = context.reported.stream().collect(Collectors.toMap(
            r -> r.record().kafkaOffset(), r -> r.error().getMessage()));
        assertEquals(4, reasons.size(), reasons.toString());
        assertEquals("topic requests partition 0 offset 1: record key: no id (null)", reasons.get(1L));
        assertEquals("topic requests partition 0 offset 2: the value must be a JSON object or a Struct, found a string",
            reasons.get(2L));
        assertEquals("topic requests partition 0 offset 3: id 'good': field 'status': delta +1 on a field holding a "
            + "string, not a number", reasons.get(3L));
        assertEquals("topic requests partition 0 offset 5: record key: blank id", reasons.get(5L));
        JsonNode doc = documents.get(index, "good");
        assertEquals("new", doc.get("status").asText());
        assertEquals(3, doc.get("clicks").asInt());
        assertEquals(4, task.metrics().getEventsRejected());
    }

    @Test
    void documentsElasticsearchRefusesSendTheirEventsToTheErrorHandler() {
        TaskContext context = new TaskContext(Map.of(), true);
        RequestMergeSinkTask task = start(Map.of(), context);
        task.put(List.of(record(0, 0, "a", "{\"price\":2.45}", 1_000)));
        commit(task);
        // price is now mapped as a number: a document with a word there is malformed for this index.
        task.put(List.of(record(0, 1, "b", "{\"price\":\"cheap\"}", 1_000), record(0, 2, "a", "{\"clicks\":\"+1\"}", 1_000)));
        Map<TopicPartition, OffsetAndMetadata> committed = commit(task);
        assertEquals(1, context.reported.size());
        assertEquals(1, context.reported.get(0).record().kafkaOffset());
        assertTrue(context.reported.get(0).error().getMessage().contains("400 document_parsing_exception")
            || context.reported.get(0).error().getMessage().contains("400 mapper_parsing_exception"),
            context.reported.get(0).error().getMessage());
        assertNull(documents.get(index, "b"));
        assertEquals(1, documents.get(index, "a").get("clicks").asInt());
        assertEquals(3, committed.get(new TopicPartition(TOPIC, 0)).offset());
    }

    @Test
    void withoutAnErrorHandlerABadRecordFailsTheTaskNamingIt() {
        RequestMergeSinkTask task = start(Map.of(), new TaskContext(Map.of(), false));
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(List.of(
            record(0, 0, "x", "{\"a\":\"text\"}", 1_000), record(0, 7, null, "{}", 1_000))));
        assertEquals("topic requests partition 0 offset 7: record key: no id (null)", e.getMessage());
    }

    @Test
    void tombstonesDeleteTheDocument() {
        RequestMergeSinkTask task = start(Map.of());
        task.put(List.of(record(0, 0, "gone", "{\"clicks\":\"+1\"}", 1_000), record(0, 1, "kept", "{\"clicks\":\"+1\"}", 1_000)));
        commit(task);
        assertNotNull(documents.get(index, "gone"));
        task.put(List.of(new SinkRecord(TOPIC, 0, null, "gone", null, null, 2, 2_000L, TimestampType.CREATE_TIME)));
        commit(task);
        assertNull(documents.get(index, "gone"));
        assertNotNull(documents.get(index, "kept"));
        task.put(List.of(record(0, 3, "gone", "{\"clicks\":\"+5\"}", 3_000)));
        commit(task);
        assertEquals(5, documents.get(index, "gone").get("clicks").asInt(), "a new request starts from nothing");
    }

    @Test
    void indexTemplateMapsTimesGeoPointsKeywordsAndHidesTheMetadata() {
        RequestMergeSinkTask task = start(Map.of());
        task.put(List.of(record(0, 0, "m", "{\"domain\":\"somewhere.net\",\"geo\":{\"location\":{\"lat\":52.5,\"lon\":13.4}}}",
            1_000)));
        commit(task);
        JsonNode mapping = documents.send("GET", "/" + index + "/_mapping", null).path(index).path("mappings")
            .path("properties");
        assertEquals("date", mapping.at("/created_at/type").asText());
        assertEquals("date", mapping.at("/updated_at/type").asText());
        assertEquals("geo_point", mapping.at("/geo/properties/location/type").asText());
        assertEquals("keyword", mapping.at("/domain/type").asText());
        assertEquals("false", mapping.at("/_merge/enabled").asText());
    }

    private RequestMergeSinkTask start(Map<String, String> overrides) {
        return start(overrides, new TaskContext(Map.of(), true));
    }

    private RequestMergeSinkTask start(Map<String, String> overrides, TaskContext context) {
        Map<String, String> config = new HashMap<>();
        config.put("name", index);
        config.put(RequestMergeSinkConfig.CONNECTION_URLS, Stack.elasticsearch().url());
        config.put(RequestMergeSinkConfig.INDEX_NAME, index);
        config.put(RequestMergeSinkConfig.TEMPLATE_NAME, index);
        config.put(RequestMergeSinkConfig.FLUSH_LINGER_MS, "20");
        config.put(RequestMergeSinkConfig.RETRY_TIMEOUT_MS, "60000");
        // The records here carry event times of 1970 as their timestamps, so every batch would count as behind:
        // these tests are about the live path (CatchUpExactlyOnceIT and CatchUpWriterTest cover the catch-up).
        config.put(RequestMergeSinkConfig.CATCHUP_CHECKPOINT_INTERVAL_MS, "0");
        config.putAll(overrides);
        RequestMergeSinkTask task = new RequestMergeSinkTask();
        task.initialize(context);
        task.start(config);
        tasks.add(task);
        return task;
    }

    private static Map<TopicPartition, OffsetAndMetadata> commit(RequestMergeSinkTask task) {
        Map<TopicPartition, OffsetAndMetadata> current = new HashMap<>();
        for (int p = 0; p < 4; p++) {
            current.put(new TopicPartition(TOPIC, p), new OffsetAndMetadata(0));
        }
        // The writer flushes by itself every linger; a test waits for it as a rebalance does.
        task.flushAndDrain();
        Map<TopicPartition, OffsetAndMetadata> committed = task.preCommit(current);
        task.put(List.of());
        return committed;
    }

    private static void awaitWritten(RequestMergeSinkTask task, long events) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (task.metrics().getEventsMerged() + task.metrics().getEventsDuplicate() < events) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + task.metrics().getEventsMerged() + " events written");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private void assertAllMatch(RequestTimeline timeline) {
        List<String> wrong = timeline.mismatches(documents, index);
        assertTrue(wrong.isEmpty(), wrong.size() + " documents differ, e.g. " + (wrong.isEmpty() ? "" : wrong.get(0)));
    }


    private static void putInBatches(RequestMergeSinkTask task, List<SinkRecord> records, int batch) {
        for (int from = 0; from < records.size(); from += batch) {
            task.put(new ArrayList<>(records.subList(from, Math.min(records.size(), from + batch))));
        }
    }

    private static List<SinkRecord> records(RequestTimeline timeline) {
        List<SinkRecord> records = new ArrayList<>();
        Map<Integer, Long> offsets = new HashMap<>();
        for (RequestTimeline.Event event : timeline.events()) {
            long offset = offsets.merge(event.partition(), 1L, Long::sum) - 1;
            records.add(record(event.partition(), offset, event.id(), event.json(), event.timestamp()));
        }
        return records;
    }

    private static SinkRecord record(int partition, long offset, String key, String json, long timestamp) {
        try {
            // Parsed as Connect's schemaless JsonConverter does: integers as Long/Integer, decimals as Double.
            Map<?, ?> value = PLAIN_JSON.readValue(json, Map.class);
            return new SinkRecord(TOPIC, partition, null, key, null, value, offset, timestamp, TimestampType.CREATE_TIME);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode without(JsonNode doc, String field) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) doc).deepCopy();
        copy.remove(field);
        return copy;
    }
}
