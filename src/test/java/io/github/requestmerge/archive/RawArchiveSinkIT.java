package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.stack.S3Server;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ArchiveContents;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.StatusWatcher;
import io.github.requestmerge.testing.Topics;
import io.github.requestmerge.testing.Waits;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The packaged archive connector in the real Connect worker, created over REST from
 * {@code config/raw-archive-s3.json} (pointed at the stack's S3 and a topic of the test), archiving a real
 * broker's records into the real S3 server while the worker is SIGKILLed or S3 is killed mid-stream.
 * Afterwards the archive must hold every produced record exactly once, bad records included, and no task
 * may have failed on the way (nobody restarts one).
 */
@ExtendWith(Stack.class)
class RawArchiveSinkIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String PLUGIN = "RawArchiveSinkConnector";

    private ConnectRest connect;
    private Topics topics;
    private S3Server s3;
    private S3Client client;
    private String name;
    private StatusWatcher watcher;

    @BeforeEach
    void setUp(TestInfo test) {
        connect = new ConnectRest(Stack.connect().restUrl());
        topics = new Topics(Stack.kafka().bootstrapServers());
        s3 = Stack.s3();
        client = ArchiveContents.client(s3);
        name = "archive-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    @AfterEach
    void tearDown() {
        if (!s3.isAlive()) {
            s3.restart();
        }
        if (!Stack.connect().isAlive()) {
            Stack.connect().restart();
        }
        if (watcher != null) {
            watcher.close();
        }
        connect.delete(name);
        client.close();
    }

    /** The example config as a user PUTs it, with the stack's S3 and this test's topic and folder. */
    private Map<String, String> config(String topic) {
        Path file = Paths.get(System.getProperty("project.basedir", ".")).resolve("config/raw-archive-s3.json");
        Map<String, String> config;
        try {
            config = new ObjectMapper().readValue(file.toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("name", name);
        config.put("topics", topic);
        config.put(RawArchiveConfig.S3_BUCKET_NAME, s3.bucket());
        config.put(RawArchiveConfig.STORE_URL, s3.endpoint());
        config.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, s3.accessKey());
        config.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, s3.secretKey());
        config.put(RawArchiveConfig.TOPICS_DIR, "sink-it/" + name);
        config.put(RawArchiveConfig.RETRY_BACKOFF_MAX_MS, "1000");
        return config;
    }

    private String prefix() {
        return "sink-it/" + name + "/";
    }

    /** @return each key's error messages from the validate endpoint; keys without errors left out */
    private Map<String, List<String>> validationErrors(Map<String, String> config) {
        return connect.validationErrors(PLUGIN, config);
    }

    @Test
    void validationNamesTheKeyToFix() {
        assertEquals(Map.of(), validationErrors(config("requests")));

        Map<String, String> noBucket = config("requests");
        noBucket.put(RawArchiveConfig.S3_BUCKET_NAME, "no-such-bucket");
        Map<String, List<String>> errors = validationErrors(noBucket);
        assertEquals(List.of(RawArchiveConfig.S3_BUCKET_NAME), List.copyOf(errors.keySet()), errors.toString());
        assertTrue(errors.get(RawArchiveConfig.S3_BUCKET_NAME).get(0).startsWith("the bucket 'no-such-bucket' does not "
            + "exist"), errors.toString());

        Map<String, String> wrongSecret = config("requests");
        wrongSecret.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, "not-the-secret");
        errors = validationErrors(wrongSecret);
        assertEquals(List.of(RawArchiveConfig.AWS_SECRET_ACCESS_KEY), List.copyOf(errors.keySet()), errors.toString());
        assertTrue(errors.get(RawArchiveConfig.AWS_SECRET_ACCESS_KEY).get(0).contains("SignatureDoesNotMatch"));

        Map<String, String> unknownKey = config("requests");
        unknownKey.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, "nobody");
        errors = validationErrors(unknownKey);
        assertEquals(List.of(RawArchiveConfig.AWS_ACCESS_KEY_ID), List.copyOf(errors.keySet()), errors.toString());
        assertTrue(errors.get(RawArchiveConfig.AWS_ACCESS_KEY_ID).get(0).contains("InvalidAccessKeyId"));

        Map<String, String> timeWithoutFormat = config("requests");
        timeWithoutFormat.put(RawArchiveConfig.PARTITIONER_CLASS,
            "io.confluent.connect.storage.partitioner.TimeBasedPartitioner");
        timeWithoutFormat.put(RawArchiveConfig.PARTITION_DURATION_MS, "3600000");
        errors = validationErrors(timeWithoutFormat);
        assertEquals(List.of(RawArchiveConfig.PATH_FORMAT), List.copyOf(errors.keySet()), errors.toString());

        // Not answering now is no reason to refuse the connector: its tasks wait for S3.
        Map<String, String> down = config("requests");
        down.put(RawArchiveConfig.STORE_URL, "http://127.0.0.1:1");
        assertEquals(Map.of(), validationErrors(down));
        assertEquals(List.of(), ArchiveContents.keys(client, s3.bucket(), prefix()), "probe objects are removed");
    }

    @Test
    void objectsRotateAtFlushSizeUnderTheirExactNames() throws Exception {
        String topic = name;
        topics.create(topic, 1);
        Map<String, String> config = config(topic);
        config.put(RawArchiveConfig.FLUSH_SIZE, "10");
        config.put(RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS, "3000");
        connect.putConfig(name, config);
        watcher = StatusWatcher.watch(name, Stack.connect().restUrl());
        connect.awaitRunning(name, 2, TIMEOUT);

        List<RawRecord> produced = new ArrayList<>();
        Properties props = new Properties();
        props.put("bootstrap.servers", Stack.kafka().bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
            new ByteArraySerializer())) {
            long time = System.currentTimeMillis() - 60_000;
            for (int i = 0; i < 25; i++) {
                byte[] key = i == 7 ? null : ("req-" + i % 4).getBytes(StandardCharsets.UTF_8);
                byte[] value = i == 12 ? new byte[] {(byte) 0xc3, 0x28, 0} : i == 13 ? null
                    : ("{\"id\":\"req-" + i % 4 + "\",\"clicks\":\"+1\"}").getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, time + i, key, value);
                record.headers().add(new RecordHeader("trace", new byte[] {1, 2, (byte) i}));
                RecordMetadata sent = producer.send(record).get();
                produced.add(new RawRecord(topic, 0, sent.offset(), time + i, "CreateTime", key,
                    List.of(new RawRecord.Header("trace", new byte[] {1, 2, (byte) i})), value));
            }
        }

        String folder = prefix() + topic + "/partition=0/";
        List<String> expected = List.of(folder + topic + "+0+0000000000.json.gz", folder + topic + "+0+0000000010.json.gz",
            folder + topic + "+0+0000000020.json.gz");
        awaitTrue(() -> ArchiveContents.keys(client, s3.bucket(), prefix()).size() == 3);
        assertEquals(expected, ArchiveContents.keys(client, s3.bucket(), prefix()));
        Map<String, List<RawRecord>> objects = ArchiveContents.read(client, s3.bucket(), prefix());
        assertEquals(produced.subList(0, 10), objects.get(expected.get(0)));
        assertEquals(produced.subList(10, 20), objects.get(expected.get(1)));
        assertEquals(produced.subList(20, 25), objects.get(expected.get(2)), "the tail, closed by the schedule");
        awaitTrue(() -> committed(Map.of(new TopicPartition(topic, 0), 25L)));
        watcher.assertNothingFailed();
    }

    @Test
    void workerKilledMidStreamArchivesEveryRecordExactlyOnce() {
        String topic = name;
        topics.create(topic, 4);
        RequestTimeline timeline = new RequestTimeline(400, 5, 4, 41, 3);
        Map<String, String> config = config(topic);
        config.put(RawArchiveConfig.FLUSH_SIZE, "50");
        config.put(RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS, "2000");
        connect.putConfig(name, config);
        watcher = StatusWatcher.watch(name, Stack.connect().restUrl());
        connect.awaitRunning(name, 2, TIMEOUT);

        Topics.Stream stream = topics.stream(topic, timeline.events(), Duration.ofSeconds(12));
        awaitTrue(() -> stream.progress() > 0.4 && ArchiveContents.keys(client, s3.bucket(), prefix()).size() >= 8);
        Stack.connect().kill();
        Waits.sleep(2_000);
        Stack.connect().restart();
        List<RecordMetadata> written = stream.finish(TIMEOUT);

        Map<Integer, List<RawRecord>> produced = ArchiveContents.produced(topic, timeline.events(), written);
        List<String> problems = awaitArchive(produced);
        assertEquals(List.of(), problems);
        assertTrue(timeline.badCount() > 0);
        watcher.assertNothingFailed();
    }

    @Test
    void s3KilledMidStreamIsRiddenThrough() {
        String topic = name;
        topics.create(topic, 2);
        RequestTimeline timeline = new RequestTimeline(300, 5, 2, 43, 2);
        Map<String, String> config = config(topic);
        config.put("tasks.max", "1");
        config.put(RawArchiveConfig.FLUSH_SIZE, "40");
        config.put(RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS, "2000");
        config.put(RawArchiveConfig.S3_REQUEST_TIMEOUT_MS, "5000");
        connect.putConfig(name, config);
        watcher = StatusWatcher.watch(name, Stack.connect().restUrl());
        connect.awaitRunning(name, 1, TIMEOUT);

        Topics.Stream stream = topics.stream(topic, timeline.events(), Duration.ofSeconds(10));
        awaitTrue(() -> stream.progress() > 0.3 && ArchiveContents.keys(client, s3.bucket(), prefix()).size() >= 4);
        s3.kill();
        Waits.sleep(8_000);
        s3.restart();
        List<RecordMetadata> written = stream.finish(TIMEOUT);

        assertEquals(List.of(), awaitArchive(ArchiveContents.produced(topic, timeline.events(), written)));
        watcher.assertNothingFailed();
    }

    /** Waits until the archive holds every produced record exactly once; @return the problems left, if it never does */
    private List<String> awaitArchive(Map<Integer, List<RawRecord>> produced) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> problems;
        do {
            problems = ArchiveContents.problems(ArchiveContents.read(client, s3.bucket(), prefix()), produced);
            if (problems.isEmpty() || problems.stream().anyMatch(problem -> problem.contains("twice"))) {
                return problems;
            }
            Waits.sleep(1_000);
        } while (System.nanoTime() < deadline);
        return problems;
    }

    private boolean committed(Map<TopicPartition, Long> expected) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", Stack.kafka().bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("connect-" + name)
                .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> actual = new HashMap<>();
            offsets.forEach((partition, offset) -> actual.put(partition, offset.offset()));
            return actual.equals(expected);
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Waits.sleep(250);
        }
    }
}
