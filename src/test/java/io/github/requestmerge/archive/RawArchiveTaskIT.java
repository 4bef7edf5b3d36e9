package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.requestmerge.stack.S3Server;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ArchiveContents;
import io.github.requestmerge.testing.Waits;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The archive task against a real S3 server, driven directly (no worker) so a test can hand the same
 * partition to two owners, crash one between its upload and its offset commit, or take S3 away at a
 * precise moment. What Connect itself adds is covered by {@code RawArchiveSinkIT}.
 */
@ExtendWith(Stack.class)
class RawArchiveTaskIT {

    private static final TopicPartition PARTITION = new TopicPartition("requests", 2);
    private static final long T0 = 1_796_000_000_000L;

    private final List<RawArchiveSinkTask> tasks = new ArrayList<>();
    private S3Server s3;
    private S3Client client;
    private String dir;

    @BeforeEach
    void setUp(TestInfo test) {
        s3 = Stack.s3();
        client = ArchiveContents.client(s3);
        dir = "task-it/" + test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void tearDown() {
        tasks.forEach(RawArchiveSinkTask::stop);
        if (!s3.isAlive()) {
            s3.restart();
        }
        client.close();
    }

    private RawArchiveSinkTask start(ArchiveTaskContext context, String... settings) {
        Map<String, String> props = new java.util.HashMap<>();
        props.put("name", "task-it");
        props.put(RawArchiveConfig.S3_BUCKET_NAME, s3.bucket());
        props.put(RawArchiveConfig.STORE_URL, s3.endpoint());
        props.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, s3.accessKey());
        props.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, s3.secretKey());
        props.put(RawArchiveConfig.TOPICS_DIR, dir);
        props.put(RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS, "-1");
        props.put(RawArchiveConfig.RETRY_BACKOFF_MAX_MS, "500");
        for (int i = 0; i < settings.length; i += 2) {
            props.put(settings[i], settings[i + 1]);
        }
        RawArchiveSinkTask task = new RawArchiveSinkTask();
        tasks.add(task);
        task.initialize(context);
        task.start(props);
        context.assignment.add(PARTITION);
        task.open(List.of(PARTITION));
        return task;
    }

    /** A partition's log: request events with a key, a header and a timestamp; every 13th value is not JSON. */
    private static List<SinkRecord> log(int count) {
        List<SinkRecord> records = new ArrayList<>();
        for (int offset = 0; offset < count; offset++) {
            String id = "req-" + offset % 11;
            String value = offset % 13 == 5 ? "{not json" : "{\"id\":\"" + id + "\",\"clicks\":\"+" + offset % 4 + "\"}";
            ConnectHeaders headers = new ConnectHeaders();
            headers.addBytes("source", "web".getBytes(StandardCharsets.UTF_8));
            records.add(new SinkRecord(PARTITION.topic(), PARTITION.partition(), Schema.OPTIONAL_BYTES_SCHEMA,
                id.getBytes(StandardCharsets.UTF_8), Schema.OPTIONAL_BYTES_SCHEMA, value.getBytes(StandardCharsets.UTF_8),
                offset, T0 + offset * 10L, TimestampType.CREATE_TIME, headers));
        }
        return records;
    }

    private static List<RawRecord> raw(List<SinkRecord> records) {
        return records.stream().map(SinkRecordBytes::of).toList();
    }

    /** @return what the task lets Connect commit, given what the simulated consumer has delivered */
    private static long committed(RawArchiveSinkTask task, ArchiveTaskContext context) {
        OffsetAndMetadata offset = task.preCommit(Map.of(PARTITION, new OffsetAndMetadata(context.position())))
            .get(PARTITION);
        return offset == null ? -1 : offset.offset();
    }

    /**
     * Runs the worker's loop (batches of {@code batch} records of the log up to {@code end}, then empty
     * puts, seeks applied) until the condition holds.
     */
    private static void run(RawArchiveSinkTask task, ArchiveTaskContext context, List<SinkRecord> log, int end,
                            int batch, BooleanSupplier done) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            if (context.step(task, log, end, batch) == 0) {
                Waits.sleep(20);
            }
        }
    }

    /** @return whether a task has nothing left to do: all delivered, nothing waiting for S3, no seek pending */
    private static boolean idle(RawArchiveSinkTask task, ArchiveTaskContext context, List<SinkRecord> log) {
        return context.position() >= log.size() && context.seeks.isEmpty()
            && task.metrics().getPendingUploadBytes() == 0 && task.metrics().getOpenObjects() == 0;
    }

    private List<String> problems(List<SinkRecord> log) {
        return ArchiveContents.problems(ArchiveContents.read(client, s3.bucket(), dir + "/"),
            Map.of(PARTITION.partition(), raw(log)));
    }

    @Test
    void objectsAnEarlierOwnerWroteAreFoundAndSkippedWhenItsCommitWasLost() {
        List<SinkRecord> log = log(80);
        ArchiveTaskContext first = new ArchiveTaskContext();
        RawArchiveSinkTask crashed = start(first, RawArchiveConfig.FLUSH_SIZE, "10");
        run(crashed, first, log, 55, 9, () -> committed(crashed, first) == 50);
        // It dies before Connect commits offset 50: the next owner reads the partition from the start again.
        crashed.close(List.of(PARTITION));

        ArchiveTaskContext second = new ArchiveTaskContext();
        RawArchiveSinkTask next = start(second, RawArchiveConfig.FLUSH_SIZE, "10");
        run(next, second, log, log.size(), 7, () -> committed(next, second) == 80);

        assertEquals(List.of(), problems(log));
        assertEquals(5, next.metrics().getObjectsFoundExisting(), "objects 0 to 40 were found, one at a time");
        assertEquals(50, next.metrics().getRecordsFoundArchived());
        assertEquals(3, next.metrics().getObjectsWritten(), "50 to 79 were written");
        assertEquals(List.of(10L, 20L, 30L, 40L, 50L), second.seekHistory.stream().map(seek -> seek.get(PARTITION)).toList(),
            "each found object makes the task seek past it and check again at the next start offset");
    }

    /**
     * A zombie: the partition's old owner, frozen past its session, still uploads with other object
     * boundaries (here flush.size 7 against 10; wall-clock rotation gives such differences) while the new
     * owner writes. First step by step, so the start is known: the zombie writes 0-6; the new owner, at the
     * last committed offset 0, finds it and writes 7-16; the zombie then writes 7-13, under the same key.
     * Then both run to the end of the log at once, each closing its tail by the wall clock.
     */
    private void zombieScenario(RawArchiveSinkTask zombie, ArchiveTaskContext zombieContext, RawArchiveSinkTask owner,
                                ArchiveTaskContext ownerContext, List<SinkRecord> log) {
        run(zombie, zombieContext, log, 7, 7, () -> zombie.metrics().getObjectsWritten() == 1);
        run(owner, ownerContext, log, 17, 7, () -> owner.metrics().getObjectsWritten() == 1);
        run(zombie, zombieContext, log, 14, 7, () -> zombie.metrics().getObjectsWritten() == 2
            || zombie.metrics().getObjectsFoundExisting() == 1);
        long deadline = System.nanoTime() + 60_000_000_000L;
        int idleRounds = 0;
        while (idleRounds < 5) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            zombieContext.step(zombie, log, log.size(), 5);
            ownerContext.step(owner, log, log.size(), 9);
            idleRounds = idle(zombie, zombieContext, log) && idle(owner, ownerContext, log) ? idleRounds + 1 : 0;
            Waits.sleep(50);
        }
    }

    @Test
    void withConditionalWritesAZombieWithOtherBoundariesNeitherOverlapsNorLeavesAGap() {
        List<SinkRecord> log = log(70);
        ArchiveTaskContext zombieContext = new ArchiveTaskContext();
        ArchiveTaskContext ownerContext = new ArchiveTaskContext();
        RawArchiveSinkTask zombie = start(zombieContext, RawArchiveConfig.FLUSH_SIZE, "7",
            RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS, "1000");
        RawArchiveSinkTask owner = start(ownerContext, RawArchiveConfig.FLUSH_SIZE, "10",
            RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS, "1000");
        zombieScenario(zombie, zombieContext, owner, ownerContext, log);

        assertEquals(List.of(), problems(log));
        assertEquals(Map.of(PARTITION, 7L), ownerContext.seekHistory.get(0), "the new owner found the zombie's 0-6");
        assertEquals(Map.of(PARTITION, 17L), zombieContext.seekHistory.get(0),
            "the zombie's PutObject of key 7 got 412, and it went on after the new owner's 7-16");
        assertEquals(70, committed(owner, ownerContext));
    }

    @Test
    void withoutConditionalWritesTheSameZombieDuplicatesRecords() {
        List<SinkRecord> log = log(70);
        ArchiveTaskContext zombieContext = new ArchiveTaskContext();
        ArchiveTaskContext ownerContext = new ArchiveTaskContext();
        RawArchiveSinkTask zombie = start(zombieContext, RawArchiveConfig.FLUSH_SIZE, "7",
            RawArchiveConfig.S3_CONDITIONAL_WRITES, "false");
        RawArchiveSinkTask owner = start(ownerContext, RawArchiveConfig.FLUSH_SIZE, "10",
            RawArchiveConfig.S3_CONDITIONAL_WRITES, "false");
        run(zombie, zombieContext, log, 7, 7, () -> zombie.metrics().getObjectsWritten() == 1);
        run(owner, ownerContext, log, 17, 7, () -> owner.metrics().getObjectsWritten() == 1);
        run(zombie, zombieContext, log, 28, 7, () -> zombie.metrics().getObjectsWritten() == 4);
        run(owner, ownerContext, log, 27, 10, () -> owner.metrics().getObjectsWritten() == 2);

        // The zombie replaced the new owner's 7-16 by 7-13 and wrote 14-20 and 21-27; the new owner's 17-26
        // overlaps them. This is why wall-clock rotation needs conditional writes.
        List<String> problems = ArchiveContents.problems(ArchiveContents.read(client, s3.bucket(), dir + "/"),
            Map.of(PARTITION.partition(), raw(log.subList(0, 28))));
        assertTrue(problems.stream().anyMatch(problem -> problem.contains("offset 17 is archived twice")),
            problems.toString());
    }

    @Test
    void aLargeObjectIsAMultipartUploadWhoseEndALaterOwnerFindsByReadingIt() {
        Random random = new Random(3);
        List<SinkRecord> log = new ArrayList<>();
        for (int offset = 0; offset < 200; offset++) {
            byte[] value = new byte[40 * 1024];
            random.nextBytes(value);
            log.add(new SinkRecord(PARTITION.topic(), PARTITION.partition(), null, null, null, value, offset,
                T0 + offset, TimestampType.CREATE_TIME));
        }
        ArchiveTaskContext first = new ArchiveTaskContext();
        RawArchiveSinkTask writer = start(first, RawArchiveConfig.FLUSH_SIZE, "200",
            RawArchiveConfig.S3_PART_SIZE, Integer.toString(5 << 20));
        run(writer, first, log, log.size(), 50, () -> committed(writer, first) == 200);
        assertEquals(1, writer.metrics().getMultipartUploads());
        assertEquals(1, writer.metrics().getObjectsWritten());
        assertTrue(writer.metrics().getCompressedBytesArchived() > 5 << 20);
        String key = dir + "/requests/partition=2/requests+2+0000000000.json.gz";
        assertNull(client.headObject(h -> h.bucket(s3.bucket()).key(key)).metadata().get(ArchiveWriteStore.LAST_OFFSET),
            "a multipart upload is created before its last offset is known");

        ArchiveTaskContext second = new ArchiveTaskContext();
        RawArchiveSinkTask next = start(second, RawArchiveConfig.FLUSH_SIZE, "200",
            RawArchiveConfig.S3_PART_SIZE, Integer.toString(5 << 20));
        run(next, second, log, log.size(), 50, () -> committed(next, second) == 200);
        assertEquals(1, next.metrics().getObjectsFoundExisting());
        assertEquals(0, next.metrics().getObjectsWritten());
        assertEquals(List.of(), problems(log));
    }

    @Test
    void whileS3IsDownTheTaskPausesCommitsNothingAndCatchesUpWhenItIsBack() {
        List<SinkRecord> log = new ArrayList<>();
        Random random = new Random(9);
        for (int offset = 0; offset < 120; offset++) {
            byte[] value = new byte[64 * 1024];
            random.nextBytes(value);
            log.add(new SinkRecord(PARTITION.topic(), PARTITION.partition(), null, null, null, value, offset,
                T0 + offset, TimestampType.CREATE_TIME));
        }
        ArchiveTaskContext context = new ArchiveTaskContext();
        RawArchiveSinkTask task = start(context, RawArchiveConfig.FLUSH_SIZE, "5",
            RawArchiveConfig.BUFFER_MAX_BYTES, Integer.toString(5 << 20), RawArchiveConfig.S3_PART_SIZE,
            Integer.toString(5 << 20), RawArchiveConfig.S3_REQUEST_TIMEOUT_MS, "5000");
        run(task, context, log, 10, 10, () -> committed(task, context) == 10);

        s3.kill();
        run(task, context, log, log.size(), 10, () -> context.paused.contains(PARTITION));
        // Paused: the worker fetches nothing more for the partition; the task is called with empty puts.
        long position = context.position();
        for (int i = 0; i < 5; i++) {
            task.put(List.of());
        }
        assertTrue(context.paused.contains(PARTITION), "consumption stays paused while 5 MiB wait for S3");
        assertTrue(position < log.size());
        run(task, context, log, log.size(), 10, () -> !task.metrics().getS3Available());
        assertEquals(10, committed(task, context), "nothing unacknowledged is committed");

        s3.restart();
        run(task, context, log, log.size(), 10, () -> committed(task, context) == 120);
        assertFalse(context.paused.contains(PARTITION), "consumption resumed");
        assertTrue(task.metrics().getS3Available());
        assertTrue(task.metrics().getS3Outages() >= 1);
        assertEquals(List.of(), problems(log));
    }

    @Test
    void aWrongSecretFailsTheTaskNamingTheSettings() {
        ArchiveTaskContext context = new ArchiveTaskContext();
        RawArchiveSinkTask task = start(context, RawArchiveConfig.AWS_SECRET_ACCESS_KEY, "wrong");
        ConnectException error = assertThrows(ConnectException.class, () -> {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                task.put(List.of());
                Waits.sleep(50);
            }
        });
        assertTrue(error.getMessage().startsWith("archiving to S3 failed: PutObject " + dir + "/.request-merge-probe-"),
            error.getMessage());
        assertTrue(error.getMessage().contains("HTTP 403 SignatureDoesNotMatch"), error.getMessage());
        assertTrue(error.getMessage().contains("check aws.access.key.id and aws.secret.access.key"), error.getMessage());
    }

    @Test
    void aMissingBucketFailsTheTaskNamingTheSetting() {
        ArchiveTaskContext context = new ArchiveTaskContext();
        RawArchiveSinkTask task = start(context, RawArchiveConfig.S3_BUCKET_NAME, "no-such-bucket",
            RawArchiveConfig.S3_CONDITIONAL_WRITES, "false", RawArchiveConfig.FLUSH_SIZE, "1");
        task.put(List.of(log(1).get(0)));
        ConnectException error = assertThrows(ConnectException.class, () -> {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                task.put(List.of());
                Waits.sleep(50);
            }
        });
        assertTrue(error.getMessage().contains("HTTP 404 NoSuchBucket"), error.getMessage());
        assertTrue(error.getMessage().contains("create the bucket, or correct s3.bucket.name"), error.getMessage());
    }

    @Test
    void theStacksS3HonoursConditionalWritesOnPutObjectAndCompleteMultipartUpload() {
        String key = dir + "/conditional";
        client.putObject(p -> p.bucket(s3.bucket()).key(key).ifNoneMatch("*"), RequestBody.fromString("first"));
        S3Exception put = assertThrows(S3Exception.class, () ->
            client.putObject(p -> p.bucket(s3.bucket()).key(key).ifNoneMatch("*"), RequestBody.fromString("second")));
        assertEquals(412, put.statusCode());
        String upload = client.createMultipartUpload(c -> c.bucket(s3.bucket()).key(key)).uploadId();
        String etag = client.uploadPart(u -> u.bucket(s3.bucket()).key(key).uploadId(upload).partNumber(1),
            RequestBody.fromString("third")).eTag();
        S3Exception complete = assertThrows(S3Exception.class, () -> client.completeMultipartUpload(c -> c
            .bucket(s3.bucket()).key(key).uploadId(upload).ifNoneMatch("*")
            .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build()))));
        assertEquals(412, complete.statusCode());
        client.abortMultipartUpload(a -> a.bucket(s3.bucket()).key(key).uploadId(upload));
        assertEquals("first", client.getObjectAsBytes(g -> g.bucket(s3.bucket()).key(key)).asUtf8String());

        RawArchiveConfig config = new RawArchiveConfig(Map.of(RawArchiveConfig.S3_BUCKET_NAME, s3.bucket(),
            RawArchiveConfig.STORE_URL, s3.endpoint(), RawArchiveConfig.AWS_ACCESS_KEY_ID, s3.accessKey(),
            RawArchiveConfig.AWS_SECRET_ACCESS_KEY, s3.secretKey(), RawArchiveConfig.TOPICS_DIR, dir));
        assertNull(ArchiveBucketProbe.check(config), "the validate probe passes, conditional writes included");
        assertEquals(List.of(key), ArchiveContents.keys(client, s3.bucket(), dir + "/"), "the probe object is gone");
    }
}
