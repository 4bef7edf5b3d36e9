package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.RecordOrigin;
import io.github.requestmerge.testing.Waits;

/**
 * The task while S3 is away (backpressure by pausing, nothing committed, a fast stop) and with records
 * that are not raw bytes (a clear configuration error). What S3 itself answers is in the integration tests.
 */
class RawArchiveSinkTaskTest {

    /** Nothing listens on port 1 of the loopback address: every connection is refused at once. */
    private static final String UNREACHABLE = "http://127.0.0.1:1";
    private static final TopicPartition PARTITION = new TopicPartition("requests", 0);

    private final RawArchiveSinkTask task = new RawArchiveSinkTask();
    private final ArchiveTaskContext context = new ArchiveTaskContext();

    @AfterEach
    void stop() {
        task.stop();
    }

    private void start(Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "archive-test");
        props.put(RawArchiveConfig.S3_BUCKET_NAME, "request-archive");
        props.put(RawArchiveConfig.STORE_URL, UNREACHABLE);
        props.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, "access");
        props.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, "secret");
        props.put(RawArchiveConfig.RETRY_BACKOFF_MAX_MS, "500");
        props.putAll(extra);
        task.initialize(context);
        task.start(props);
        context.assignment.add(PARTITION);
        task.open(List.of(PARTITION));
    }

    /** Records with incompressible 100 KiB values, so a few make megabytes of gzip. */
    private static List<SinkRecord> bulky(long from, int count) {
        Random random = new Random(from);
        List<SinkRecord> records = new ArrayList<>();
        for (long offset = from; offset < from + count; offset++) {
            byte[] value = new byte[100 * 1024];
            random.nextBytes(value);
            records.add(new SinkRecord(PARTITION.topic(), PARTITION.partition(), Schema.OPTIONAL_BYTES_SCHEMA,
                ("k" + offset).getBytes(StandardCharsets.UTF_8), Schema.OPTIONAL_BYTES_SCHEMA, value, offset, 1_000L + offset,
                TimestampType.CREATE_TIME));
        }
        return records;
    }

    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Waits.sleep(50);
        }
    }

    @Test
    void aFullUploadBufferPausesConsumptionInsteadOfFailingWhileS3IsAway() {
        start(Map.of(RawArchiveConfig.FLUSH_SIZE, "1", RawArchiveConfig.BUFFER_MAX_BYTES, Integer.toString(5 << 20),
            RawArchiveConfig.S3_PART_SIZE, Integer.toString(5 << 20)));
        for (int batch = 0; batch < 8; batch++) {
            task.put(bulky(batch * 10L, 10));
        }
        assertEquals(Set.of(PARTITION), context.paused, "consumption is paused, records are not refused");
        assertEquals(200, context.timeout, "Connect calls put again soon, to resume in time");
        assertTrue(task.metrics().getConsumptionPaused());
        assertTrue(task.metrics().getPendingUploadBytes() >= 5 << 20);
        awaitTrue(() -> !task.metrics().getS3Available());
        assertTrue(task.metrics().getS3Retries() > 0);
        assertTrue(task.metrics().getS3LastError().contains("Connection refused"), task.metrics().getS3LastError());
        assertTrue(task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(0))).isEmpty(), "nothing unwritten is committed");
        task.put(List.of());
        assertEquals(Set.of(PARTITION), context.paused);

        // A rebalance drops what waits for the closed partition, so it does not hold up the next owner's...
        task.close(List.of(PARTITION));
        assertEquals(0, task.metrics().getPendingUploadBytes(), "the closed partition's objects are dropped");
        // ...and the task resumes the partitions it gets next.
        context.assignment.clear();
        TopicPartition other = new TopicPartition("requests", 1);
        context.assignment.add(other);
        task.open(List.of(other));
        task.put(List.of());
        assertFalse(task.metrics().getConsumptionPaused());
        assertFalse(context.paused.contains(other));

        // Connect pauses again, on a later reassignment, a partition the task once paused: the task resumes it.
        task.close(List.of(other));
        context.pause(other);
        task.open(List.of(other));
        task.put(List.of());
        assertFalse(context.paused.contains(other), "a task that is not backpressured leaves no partition paused");
    }

    @Test
    void stopDuringAnOutageDoesNotWait() {
        start(Map.of(RawArchiveConfig.FLUSH_SIZE, "1", RawArchiveConfig.RETRY_BACKOFF_MAX_MS, "30000",
            RawArchiveConfig.RETRY_BACKOFF_MS, "30000"));
        task.put(bulky(0, 3));
        awaitTrue(() -> !task.metrics().getS3Available());
        long start = System.nanoTime();
        task.close(List.of(PARTITION));
        task.stop();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 3_000, "stop took " + tookMs + " ms");
    }

    @Test
    void aRecordWhoseValueIsNotBytesFailsNamingTheConverterToSet() {
        start(Map.of());
        SinkRecord parsed = new SinkRecord(PARTITION.topic(), 0, null, "k".getBytes(StandardCharsets.UTF_8), null,
            Map.of("id", "abc"), 17, 1L, TimestampType.CREATE_TIME);
        ConnectException error = assertThrows(ConnectException.class, () -> task.put(List.of(parsed)));
        assertEquals("topic requests partition 0 offset 17: the record's value is a java.util.ImmutableCollections$Map1, "
            + "not bytes. The raw archive keeps records exactly as produced: set value.converter="
            + "org.apache.kafka.connect.converters.ByteArrayConverter on the connector", error.getMessage());
        SinkRecord stringKey = new SinkRecord(PARTITION.topic(), 0, null, "abc", null, null, 18);
        assertTrue(assertThrows(ConnectException.class, () -> task.put(List.of(stringKey))).getMessage()
            .contains("set key.converter=org.apache.kafka.connect.converters.ByteArrayConverter"));
    }

    @Test
    void headersMustBeBytesOrTextAndTombstonesStayNull() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addBytes("raw", new byte[] {1, 2, (byte) 0xff});
        headers.addString("text", "wéb");
        headers.add("none", null, null);
        SinkRecord record = new SinkRecord("requests", 2, null, null, null, null, 5, null, TimestampType.NO_TIMESTAMP_TYPE,
            headers);
        RawRecord raw = SinkRecordBytes.of(record);
        assertEquals("requests", raw.topic());
        assertEquals(2, raw.partition());
        assertEquals(5, raw.offset());
        assertNull(raw.timestamp());
        assertEquals("NoTimestampType", raw.timestampType());
        assertNull(raw.key());
        assertNull(raw.value());
        assertArrayEquals(new byte[] {1, 2, (byte) 0xff}, raw.headers().get(0).value());
        assertArrayEquals("wéb".getBytes(StandardCharsets.UTF_8), raw.headers().get(1).value());
        assertNull(raw.headers().get(2).value());

        ConnectHeaders parsed = new ConnectHeaders();
        parsed.addInt("count", 3);
        SinkRecord withInt = new SinkRecord("requests", 2, null, null, null, null, 6, null,
            TimestampType.NO_TIMESTAMP_TYPE, parsed);
        assertTrue(assertThrows(ConnectException.class, () -> SinkRecordBytes.of(withInt)).getMessage()
            .contains("the record's header 'count' is a java.lang.Integer, not bytes. The raw archive keeps records "
                + "exactly as produced: set header.converter=org.apache.kafka.connect.converters.ByteArrayConverter"));
    }

    @Test
    void committedOffsetsFollowArchivedRecordsButNeverPassWhatWasConsumed() {
        ArchiveCommitTracker tracker = new ArchiveCommitTracker();
        TopicPartition other = new TopicPartition("requests", 1);
        Map<TopicPartition, OffsetAndMetadata> consumed = Map.of(PARTITION, new OffsetAndMetadata(120),
            other, new OffsetAndMetadata(7));
        assertEquals(Map.of(), tracker.committable(consumed), "nothing archived, nothing committed");
        tracker.archivedThrough(PARTITION, 99);
        tracker.archivedThrough(PARTITION, 49);
        assertEquals(Map.of(PARTITION, new OffsetAndMetadata(100)), tracker.committable(consumed));
        // An object found in S3 reaches offset 499 while the consumer has read up to 119 only.
        tracker.archivedThrough(PARTITION, 499);
        assertEquals(new OffsetAndMetadata(120), tracker.committable(consumed).get(PARTITION));
        tracker.forget(List.of(PARTITION));
        assertEquals(Map.of(), tracker.committable(consumed));
    }

    @Test
    void theArchivedPlaceIsTheOriginalTopicBeforeAnyRename() {
        SinkRecord original = new SinkRecord("requests", 1, null, null, null, null, 9, 5L, TimestampType.CREATE_TIME);
        SinkRecord renamed = original.newRecord("renamed", 4, null, null, null, null, 5L);
        RawRecord raw = SinkRecordBytes.of(renamed);
        assertEquals("requests", raw.topic());
        assertEquals(1, raw.partition());
        assertEquals(9, raw.offset());
        assertEquals(new HashMap<>(Map.of(new TopicPartition("requests", 1), 9L)),
            new HashMap<>(Map.of(RecordOrigin.topicPartition(renamed), RecordOrigin.offset(renamed))));
    }
}
