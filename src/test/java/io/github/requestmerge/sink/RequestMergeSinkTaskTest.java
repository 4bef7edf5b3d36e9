package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.testing.FakeElasticsearch;
import io.github.requestmerge.testing.Waits;

/**
 * The task when Elasticsearch is away (backpressure by pausing, never a failed task) or refuses for
 * good (a clear failure saying what to fix). The faults of a real node are in the integration tests.
 */
class RequestMergeSinkTaskTest {

    /** Nothing listens on port 1 of the loopback address: every connection is refused at once. */
    private static final String UNREACHABLE = "http://127.0.0.1:1";
    private static final TopicPartition PARTITION = new TopicPartition("requests", 0);

    private final RequestMergeSinkTask task = new RequestMergeSinkTask();
    private final TaskContext context = new TaskContext(Map.of(), true);

    @AfterEach
    void stop() {
        task.stop();
    }

    @Test
    void aFullBufferPausesConsumptionInsteadOfFailingWhileElasticsearchIsAway() {
        context.assignment.add(PARTITION);
        start(UNREACHABLE, Map.of(RequestMergeSinkConfig.BUFFER_MAX_EVENTS, "10",
            RequestMergeSinkConfig.FLUSH_MAX_EVENTS, "10"));
        for (int batch = 0; batch < 5; batch++) {
            task.put(records(batch * 10, 10));
        }
        assertEquals(Set.of(PARTITION), context.paused, "consumption is paused, records are not refused");
        assertEquals(200, context.timeout, "Connect calls put again soon, to resume in time");
        assertTrue(task.metrics().getConsumptionPaused());
        awaitTrue(() -> !task.metrics().getElasticsearchAvailable());
        assertTrue(task.metrics().getElasticsearchRetries() > 0);
        assertTrue(task.metrics().getElasticsearchLastError().contains("java.net.ConnectException: Connection refused"),
            task.metrics().getElasticsearchLastError());
        assertTrue(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(0))).isEmpty(), "nothing unwritten is committed");
        task.put(List.of());
        assertEquals(Set.of(PARTITION), context.paused);
    }

    @Test
    void aPartitionLeftPausedAcrossARebalanceIsResumedWhileTheTaskIsNotBackpressured() {
        context.assignment.add(PARTITION);
        start(UNREACHABLE, Map.of());
        task.put(List.of());
        assertFalse(task.metrics().getConsumptionPaused());
        // A rebalance: Connect pauses again, on assignment, a partition the task had once paused.
        task.close(List.of(PARTITION));
        context.pause(PARTITION);
        task.open(List.of(PARTITION));
        assertEquals(Set.of(), context.paused, "resumed as it is assigned: put may not come until the next commit "
            + "when this partition is all the task has");
        context.pause(PARTITION);
        task.put(List.of());
        assertEquals(Set.of(), context.paused, "a task that is not backpressured leaves no partition paused");
    }

    @Test
    void aRebalanceDuringAnOutageDoesNotWaitAndLeavesTheEventsToTheNextOwner() {
        context.assignment.add(PARTITION);
        start(UNREACHABLE, Map.of(RequestMergeSinkConfig.FLUSH_TIMEOUT_MS, "600000"));
        task.put(records(0, 3));
        awaitTrue(() -> !task.metrics().getElasticsearchAvailable());
        // flush.timeout.ms is ten minutes: close must not spend it on a cluster that is away.
        task.close(List.of(PARTITION));
        assertTrue(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(0))).isEmpty());
    }

    @Test
    void withARetryTimeoutAnOutageFailsTheTaskAtTheNextPutWithTheCause() {
        start(UNREACHABLE, Map.of(RequestMergeSinkConfig.RETRY_TIMEOUT_MS, "0", RequestMergeSinkConfig.FLUSH_LINGER_MS,
            "0"));
        task.put(records(0, 3));
        assertFalse(task.flushAndDrain(), "the writer gave up");
        assertTrue(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(0))).isEmpty(), "nothing acknowledged");
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(records(3, 1)));
        // With no linger the first batch may hold one record or all three.
        assertTrue(e.getMessage().matches("writing merged documents to Elasticsearch at http://127\\.0\\.0\\.1:1 \\(no "
            + "authentication\\) failed: multi-get of [1-3] documents from requests "
            + "failed: Elasticsearch has been unavailable for 0 s, longer than retry.timeout.ms allows; last error: "
            + "java.net.ConnectException: Connection refused. The task stops; once the cause is fixed, restart it .*"),
            e.getMessage());
    }

    @Test
    void anUnreachableClusterDoesNotFailTheStartEvenWithATemplateToInstall() {
        Map<String, String> config = new HashMap<>();
        config.put(RequestMergeSinkConfig.CONNECTION_URLS, UNREACHABLE);
        task.initialize(context);
        task.start(config);
        task.put(records(0, 2));
        awaitTrue(() -> task.metrics().getElasticsearchRetries() > 1);
        assertTrue(task.metrics().getElasticsearchLastError().startsWith("installing index template request-merge: "),
            task.metrics().getElasticsearchLastError());
        task.put(List.of());
    }

    @Test
    void aTemplateTheClusterRefusesFailsTheTaskSayingHowToSkipIt() {
        try (FakeElasticsearch es = new FakeElasticsearch()) {
            es.fail("PUT", "/_index_template/", 400, "illegal_argument_exception", "composable template conflicts");
            Map<String, String> config = new HashMap<>();
            config.put(RequestMergeSinkConfig.CONNECTION_URLS, es.url().toString());
            task.initialize(context);
            task.start(config);
            ConnectException e = awaitFailure();
            assertTrue(e.getMessage().startsWith("writing merged documents to Elasticsearch at " + es.url()
                + " (no authentication) failed: could not install index template "
                + "request-merge (index.template.install=false skips it): installing index template request-merge "
                + "failed: HTTP 400 illegal_argument_exception: composable template conflicts."), e.getMessage());
        }
    }

    @Test
    void credentialsLackingAPrivilegeFailTheTaskSayingWhatToGrant() {
        // (Refused credentials, 401, get Retry.CREDENTIALS_GRACE first: RetryTest.)
        try (FakeElasticsearch es = new FakeElasticsearch()) {
            es.fail("POST", "/requests/_mget", 403, "security_exception", "action [indices:data/read/mget[shard]] is "
                + "unauthorized for API key id [k1] of user [connector] on indices [requests]");
            start(es.url().toString(), Map.of(RequestMergeSinkConfig.FLUSH_LINGER_MS, "0"));
            task.put(records(0, 1));
            ConnectException e = awaitFailure();
            assertTrue(e.getMessage().startsWith("writing merged documents to Elasticsearch at " + es.url()
                + " (no authentication) failed: multi-get of 1 documents from requests failed: HTTP 403 "
                + "security_exception: action [indices:data/read/mget[shard]] is unauthorized for API key id [k1] of "
                + "user [connector] on indices [requests]; grant the privilege named above"), e.getMessage());
        }
    }

    @Test
    void aRewindSeeksOnlyTheAssignedPartitionsBackAndSkipsTheirRecordsAlreadyPolled() {
        TopicPartition revoked = new TopicPartition("requests", 1);
        TopicPartition other = new TopicPartition("requests", 2);
        // Partition 1 is no longer this task's: its rewind must not seek a consumer that does not own it.
        context.assignment.addAll(List.of(PARTITION, other));
        try (FakeElasticsearch es = new FakeElasticsearch()) {
            es.answer("POST", "/requests/_mget", 200, "{\"docs\":[{\"_index\":\"requests\",\"_id\":\"a\",\"found\":false},"
                + "{\"_index\":\"requests\",\"_id\":\"b\",\"found\":false}]}");
            // Another writer created both documents meanwhile: the held ones cannot be written as merged.
            es.answer("POST", "/_bulk", 200, "{\"took\":1,\"errors\":true,\"items\":[" + conflict("a") + "," + conflict("b")
                + "]}");
            start(es.url().toString(), Map.of(RequestMergeSinkConfig.CATCHUP_MIN_LAG_MS, "0",
                RequestMergeSinkConfig.CATCHUP_CHECKPOINT_INTERVAL_MS, "600000"));
            task.put(List.of(record(PARTITION, "a", 5), record(revoked, "b", 7)));
            awaitTrue(() -> task.metrics().getHeldDocuments() == 2);

            assertTrue(task.flushAndDrain(), "the checkpoint completed, by rewinding");
            assertEquals(1, task.metrics().getCheckpointRewinds());
            assertEquals(List.of(), context.offsets, "the task thread seeks, at its next put");
            // Records polled before the seek: those of the rewound partitions come again from the offsets sought.
            task.put(List.of(record(PARTITION, "a", 6), record(revoked, "b", 8), record(other, "c", 3)));

            assertEquals(List.of(Map.of(PARTITION, 5L)), context.offsets);
            assertEquals(3, task.metrics().getEventsReceived(), "only partition 2's record of that put was taken");
            assertTrue(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(0), revoked, new OffsetAndMetadata(0)))
                .isEmpty(), "nothing of the rewound partitions is committable");
            task.put(List.of(record(PARTITION, "a", 5)));
            assertEquals(4, task.metrics().getEventsReceived(), "records from the offset sought are taken again");
            assertEquals(1, context.offsets.size(), "one rewind, one seek");
        }
    }

    private static String conflict(String id) {
        return "{\"create\":{\"_index\":\"requests\",\"_id\":\"" + id + "\",\"status\":409,\"error\":{\"type\":"
            + "\"version_conflict_engine_exception\",\"reason\":\"[" + id + "]: version conflict, document already "
            + "exists\"}}}";
    }

    private static SinkRecord record(TopicPartition partition, String id, long offset) {
        return new SinkRecord(partition.topic(), partition.partition(), null, id, null, Map.of("clicks", "+1"), offset,
            1_000L, TimestampType.CREATE_TIME);
    }

    private ConnectException awaitFailure() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                task.put(List.of());
            } catch (ConnectException e) {
                return e;
            }
            Waits.sleep(20);
        }
        throw new AssertionError("the task did not fail");
    }

    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Waits.sleep(20);
        }
    }

    private void start(String url, Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>();
        config.put(RequestMergeSinkConfig.CONNECTION_URLS, url);
        config.put(RequestMergeSinkConfig.TEMPLATE_INSTALL, "false");
        config.put(RequestMergeSinkConfig.INDEX_NAME, "requests");
        config.put(RequestMergeSinkConfig.FLUSH_TIMEOUT_MS, "2000");
        config.put(RequestMergeSinkConfig.RETRY_BACKOFF_MAX_MS, "200");
        config.putAll(overrides);
        task.initialize(context);
        task.start(config);
    }

    private static List<SinkRecord> records(int from, int count) {
        List<SinkRecord> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(new SinkRecord("requests", 0, null, "id-" + i, null, Map.of("clicks", "+1"), i, 1_000L,
                TimestampType.CREATE_TIME));
        }
        return records;
    }
}
