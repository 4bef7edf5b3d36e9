package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * How a partition's records are cut into objects: the rotation rules, names, content and parts, and
 * that a redelivered range gives the very same objects. The uploads are recorded, not sent.
 */
class ArchivePartitionWriterTest {

    private static final TopicPartition PARTITION = new TopicPartition("requests", 3);
    private static final long HOUR = 3_600_000;
    private static final long T0 = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();

    /** Records what a writer hands over. */
    static final class Recorder implements UploadQueue {
        final List<UploadItem> items = new ArrayList<>();
        final List<Long> cancelled = new ArrayList<>();

        @Override
        public void send(UploadItem item) {
            items.add(item);
        }

        @Override
        public void cancel(TopicPartition partition, long epoch) {
            cancelled.add(epoch);
        }

        /** @return the finished objects: key to their whole compressed bytes (parts joined) */
        Map<String, byte[]> objects() {
            Map<String, ByteArrayOutputStream> pieces = new LinkedHashMap<>();
            Map<String, byte[]> finished = new LinkedHashMap<>();
            for (UploadItem item : items) {
                pieces.computeIfAbsent(item.object().key, key -> new ByteArrayOutputStream()).writeBytes(item.bytes());
                if (item.last()) {
                    finished.put(item.object().key, pieces.remove(item.object().key).toByteArray());
                }
            }
            return finished;
        }

        List<String> keys() {
            return new ArrayList<>(objects().keySet());
        }
    }

    private final Recorder uploads = new Recorder();
    private final List<ArchiveRotation.Reason> reasons = new ArrayList<>();

    private ArchivePartitionWriter writer(ArchiveRotation rotation, ArchiveLayout layout, int partSize) {
        return new ArchivePartitionWriter(PARTITION, 7, layout, rotation, HOUR, -1, partSize, uploads, reasons::add);
    }

    private ArchivePartitionWriter writer(ArchiveRotation rotation) {
        return writer(rotation, ArchiveLayout.byPartition("topics"), 25 << 20);
    }

    private static ArchiveRotation rotation(int flushSize, long intervalMs, long maxBytes, long scheduleMs) {
        return new ArchiveRotation(flushSize, intervalMs, maxBytes, scheduleMs, false);
    }

    static RawRecord record(long offset, long time) {
        String value = "{\"id\":\"req-" + (offset % 7) + "\",\"clicks\":\"+" + (offset % 3) + "\"}";
        return new RawRecord(PARTITION.topic(), PARTITION.partition(), offset, time, "CreateTime",
            ("req-" + (offset % 7)).getBytes(StandardCharsets.UTF_8),
            List.of(new RawRecord.Header("source", "web".getBytes(StandardCharsets.UTF_8))),
            value.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(ArchivePartitionWriter writer, RawRecord record, long now) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        RawRecordCodec.write(record, line);
        writer.write(record.offset(), record.timestamp(), line, now);
    }

    static List<RawRecord> read(byte[] gzip) {
        List<RawRecord> records = new ArrayList<>();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            byte[] all = in.readAllBytes();
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == '\n') {
                    records.add(RawRecordCodec.read(all, start, i - start));
                    start = i + 1;
                }
            }
            assertEquals(all.length, start, "every line ends with a newline");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records;
    }

    @Test
    void objectsCloseAtFlushSizeNamedByTheirFirstRecordsOffset() {
        ArchivePartitionWriter writer = writer(rotation(3, -1, 1 << 20, -1));
        List<RawRecord> written = new ArrayList<>();
        for (long offset = 40; offset < 47; offset++) {
            RawRecord record = record(offset, T0 + offset);
            written.add(record);
            write(writer, record, 0);
        }
        assertEquals(List.of("topics/requests/partition=3/requests+3+0000000040.json.gz",
            "topics/requests/partition=3/requests+3+0000000043.json.gz"), uploads.keys());
        assertEquals(written.subList(0, 3), read(uploads.objects().get(uploads.keys().get(0))));
        assertEquals(written.subList(3, 6), read(uploads.objects().get(uploads.keys().get(1))));
        assertTrue(writer.hasOpenObject(), "offset 46 waits for two more");
        assertEquals(List.of(ArchiveRotation.Reason.FLUSH_SIZE, ArchiveRotation.Reason.FLUSH_SIZE), reasons);
        ObjectUpload second = uploads.items.get(1).object();
        assertEquals(43, second.firstOffset);
        assertEquals(45, second.lastOffset());
        assertEquals(3, second.records());
        assertEquals(7, second.epoch);
    }

    @Test
    void recordTimeIntervalClosesBeforeALateRecordButNotForAnEarlierOne() {
        ArchivePartitionWriter writer = writer(rotation(100, 1_000, 1 << 20, -1));
        long[] times = {T0, T0 + 500, T0 + 200, T0 + 999, T0 + 1_000, T0 + 100, T0 + 1_999, T0 + 2_000};
        for (int i = 0; i < times.length; i++) {
            write(writer, record(i, times[i]), 0);
        }
        // Confluent's rule: close before a record at first + interval or later; earlier ones (out of order) stay.
        assertEquals(List.of("topics/requests/partition=3/requests+3+0000000000.json.gz",
            "topics/requests/partition=3/requests+3+0000000004.json.gz"), uploads.keys());
        assertEquals(3, read(uploads.objects().get(uploads.keys().get(1))).size(), "offsets 4, 5 and 6");
        assertEquals(List.of(ArchiveRotation.Reason.INTERVAL, ArchiveRotation.Reason.INTERVAL), reasons);
    }

    @Test
    void theByteBoundClosesBeforeTheLineThatWouldPassIt() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        RawRecordCodec.write(record(0, T0), line);
        int lineBytes = line.size();
        ArchivePartitionWriter writer = writer(rotation(100, -1, 3L * lineBytes, -1));
        for (int offset = 0; offset < 7; offset++) {
            write(writer, record(offset, T0), 0);
        }
        assertEquals(2, uploads.keys().size(), "three lines of equal length fit exactly, a fourth does not");
        assertEquals(3, uploads.items.get(0).object().records());
        assertEquals(3L * lineBytes, uploads.items.get(0).object().lineBytes());
        assertEquals(List.of(ArchiveRotation.Reason.SIZE, ArchiveRotation.Reason.SIZE), reasons);
    }

    @Test
    void aRecordLargerThanTheByteBoundGetsAnObjectOfItsOwn() {
        ArchivePartitionWriter writer = writer(rotation(100, -1, 10, -1));
        write(writer, record(0, T0), 0);
        write(writer, record(1, T0), 0);
        assertEquals(List.of("topics/requests/partition=3/requests+3+0000000000.json.gz"), uploads.keys());
        assertEquals(1, uploads.items.get(0).object().records());
    }

    @Test
    void aNewTimeFolderStartsANewObjectUnderIt() {
        ArchiveLayout hourly = new ArchiveLayout("archive", ArchiveLayout.Partitioning.TIME,
            "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", ZoneOffset.UTC, HOUR);
        ArchivePartitionWriter writer = writer(new ArchiveRotation(100, -1, 1 << 20, -1, true), hourly, 25 << 20);
        write(writer, record(0, T0 - 2_000), 0);
        write(writer, record(1, T0 - 1), 0);
        write(writer, record(2, T0), 0);
        write(writer, record(3, T0 + HOUR - 1), 0);
        write(writer, record(4, T0 - 5), 0);
        assertEquals(List.of("archive/requests/year=2026/month=12/day=02/hour=09/requests+3+0000000000.json.gz",
            "archive/requests/year=2026/month=12/day=02/hour=10/requests+3+0000000002.json.gz"), uploads.keys());
        assertEquals(List.of(ArchiveRotation.Reason.PATH, ArchiveRotation.Reason.PATH), reasons,
            "a late record of the earlier hour closes the 10 o'clock object too, as Confluent's sink does");
    }

    @Test
    void theScheduleClosesAQuietPartitionsObjectByTheWallClock() {
        ArchivePartitionWriter writer = writer(rotation(100, -1, 1 << 20, 60_000));
        assertEquals(Long.MAX_VALUE, writer.dueAt());
        write(writer, record(0, T0), 1_000);
        write(writer, record(1, T0), 30_000);
        assertEquals(61_000, writer.dueAt(), "due a schedule interval after the object was opened");
        writer.rotateIfDue(60_999);
        assertTrue(uploads.items.isEmpty());
        writer.rotateIfDue(61_000);
        assertEquals(List.of("topics/requests/partition=3/requests+3+0000000000.json.gz"), uploads.keys());
        assertEquals(List.of(ArchiveRotation.Reason.SCHEDULE), reasons);
        assertFalse(writer.hasOpenObject());
        assertEquals(Long.MAX_VALUE, writer.dueAt());
    }

    @Test
    void aRedeliveredRangeGivesTheSameObjectsByteForByte() {
        ArchiveRotation rotation = rotation(10, 5_000, 2_000, -1);
        Random random = new Random(11);
        List<RawRecord> records = new ArrayList<>();
        long time = T0;
        for (int offset = 0; offset < 300; offset++) {
            time += random.nextInt(600);
            records.add(record(offset, time));
        }
        ArchivePartitionWriter first = writer(rotation);
        records.forEach(record -> write(first, record, 0));
        Map<String, byte[]> original = uploads.objects();

        // A crash after some objects were committed: the next owner starts at one of them, at another wall time.
        List<String> keys = new ArrayList<>(original.keySet());
        String resumed = keys.get(keys.size() / 2);
        long resumeAt = ArchiveLayout.parse(resumed).startOffset();
        Recorder again = new Recorder();
        ArchivePartitionWriter second = new ArchivePartitionWriter(PARTITION, 8, ArchiveLayout.byPartition("topics"),
            rotation, HOUR, -1, 25 << 20, again, reason -> { });
        records.subList((int) resumeAt, records.size()).forEach(record -> write(second, record, 999_999));
        Map<String, byte[]> redone = again.objects();
        assertEquals(keys.subList(keys.indexOf(resumed), keys.size()), new ArrayList<>(redone.keySet()));
        redone.forEach((key, bytes) -> assertArrayEquals(original.get(key), bytes, key));
    }

    @Test
    void largeObjectsAreCutIntoNumberedPartsThatJoinToOneGzipStream() {
        ArchivePartitionWriter writer = writer(rotation(1_000, -1, 1L << 30, -1), ArchiveLayout.byPartition("topics"),
            64 * 1024);
        Random random = new Random(5);
        List<RawRecord> written = new ArrayList<>();
        for (int offset = 0; offset < 200; offset++) {
            byte[] value = new byte[2_000];
            random.nextBytes(value);
            RawRecord record = new RawRecord(PARTITION.topic(), PARTITION.partition(), offset, T0, "CreateTime", null,
                List.of(), value);
            written.add(record);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            RawRecordCodec.write(record, line);
            writer.write(offset, T0, line, 0);
        }
        assertTrue(writer.hasOpenObject());
        assertTrue(uploads.items.size() >= 4, "parts were sent while the object is open: " + uploads.items.size());
        for (int i = 0; i < uploads.items.size(); i++) {
            UploadItem part = uploads.items.get(i);
            assertEquals(i + 1, part.part());
            assertFalse(part.last());
            assertTrue(part.bytes().length >= 64 * 1024);
        }
        assertTrue(writer.openBytes() < 64 * 1024, "an open object holds less than a part");
        writer.rotateIfDue(Long.MAX_VALUE - 1); // no schedule: stays open
        assertTrue(writer.hasOpenObject());
        for (int offset = 200; offset < 1_000; offset++) {
            RawRecord record = record(offset, T0);
            written.add(record);
            write(writer, record, 0);
        }
        UploadItem last = uploads.items.get(uploads.items.size() - 1);
        assertTrue(last.last());
        assertEquals(uploads.items.size(), last.part(), "the last piece takes the next part number");
        assertEquals(written, read(uploads.objects().values().iterator().next()));
    }

    @Test
    void afterARealignmentRecordsAreIgnoredUntilTheSeekTookEffect() {
        ArchivePartitionWriter writer = writer(rotation(10, -1, 1 << 20, -1));
        for (int offset = 0; offset < 14; offset++) {
            write(writer, record(offset, T0), 0);
        }
        assertTrue(writer.hasOpenObject());
        writer.realign(9, 25, 3);
        assertFalse(writer.hasOpenObject(), "the open object is dropped");
        assertEquals(List.of(7L), uploads.cancelled, "the old epoch's queued pieces are cancelled");
        assertEquals(9, writer.epoch());
        assertFalse(writer.accepts(30, 3), "still in the put call that asked for the seek");
        assertFalse(writer.accepts(24, 4), "before the seek's offset");
        assertTrue(writer.accepts(25, 4));
        assertTrue(writer.accepts(26, 4));
        for (int offset = 25; offset < 35; offset++) {
            write(writer, record(offset, T0), 0);
        }
        ObjectUpload next = uploads.items.get(uploads.items.size() - 1).object();
        assertEquals(25, next.firstOffset);
        assertEquals(9, next.epoch, "new objects are of the new epoch");
        assertNull(ArchiveLayout.parse("topics/requests/partition=3/not-an-object"));
    }

    @Test
    void rotationRulesStandAlone() {
        ArchiveRotation rotation = new ArchiveRotation(5, 1_000, 100, 10_000, true);
        assertNull(rotation.before(0, 0, 0, "a", 99_999, "b", 1_000), "an empty object takes any record");
        assertEquals(ArchiveRotation.Reason.PATH, rotation.before(1, 10, 0, "a", 0, "b", 10));
        assertEquals(ArchiveRotation.Reason.INTERVAL, rotation.before(1, 10, 0, "a", 1_000, "a", 10));
        assertEquals(ArchiveRotation.Reason.SIZE, rotation.before(1, 91, 0, "a", 0, "a", 10));
        assertNull(rotation.before(4, 90, 0, "a", 999, "a", 10));
        assertTrue(rotation.full(5));
        assertEquals(10_500, rotation.dueAt(500));
        assertEquals(Long.MAX_VALUE, new ArchiveRotation(5, -1, 100, -1, false).dueAt(500));
        assertEquals(ArchiveRotation.Reason.SIZE, new ArchiveRotation(5, -1, 100, -1, false).before(1, 91, 0, "a", 0,
            "b", 10), "folders are not compared in the default layout");
        assertTrue(Arrays.asList(ArchiveRotation.Reason.values()).contains(ArchiveRotation.Reason.SCHEDULE));
    }
}
