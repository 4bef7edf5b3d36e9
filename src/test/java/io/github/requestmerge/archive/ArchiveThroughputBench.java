package io.github.requestmerge.archive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.requestmerge.bench.Workload;
import io.github.requestmerge.stack.S3Server;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ArchiveContents;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.UserAgentCorpus;
import io.github.requestmerge.testing.Waits;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * End-to-end measurement of the archive connector on the real stack (not part of the test suite; run by
 * {@code bin/bench-archive --e2e}): request events are produced to a 4-partition topic first, then the
 * connector is created (from the example config's settings, the tail of each partition closed after 1 s)
 * and timed until the offsets it committed reach the end of every partition, that is until S3
 * acknowledged the last object. Prints events/s, events/s per task and bytes per event in S3, one line
 * per task count. Speed is reported, never asserted.
 */
@ExtendWith(Stack.class)
class ArchiveThroughputBench {

    private static final int PARTITIONS = 4;

    @Test
    void archivePreProducedTopic() throws Exception {
        long events = Long.getLong("archive.bench.events", 500_000);
        String tasksList = System.getProperty("archive.bench.tasks", "1,2");
        S3Server s3 = Stack.s3();
        ConnectRest connect = new ConnectRest(Stack.connect().restUrl());
        String topic = "archive-bench-" + System.currentTimeMillis();
        Map<TopicPartition, Long> ends = produce(topic, events);
        System.out.printf(Locale.ROOT, "ARCHIVE produced %,d events to %s (%d partitions)%n", events, topic, PARTITIONS);

        String[] counts = tasksList.split(",");
        for (int run = 0; run < counts.length; run++) {
            int tasks = Integer.parseInt(counts[run].trim());
            // A connector (and so a consumer group) of its own per run: each reads the topic from the start.
            String name = topic + "-run" + run + "-t" + tasks;
            Map<String, String> config = new LinkedHashMap<>();
            config.put("name", name);
            config.put("connector.class", RawArchiveSinkConnector.class.getName());
            config.put("tasks.max", Integer.toString(tasks));
            config.put("topics", topic);
            config.put("key.converter", SinkRecordBytes.BYTE_ARRAY_CONVERTER);
            config.put("value.converter", SinkRecordBytes.BYTE_ARRAY_CONVERTER);
            config.put("header.converter", SinkRecordBytes.BYTE_ARRAY_CONVERTER);
            config.put("consumer.override.max.poll.records", "2000");
            config.put(RawArchiveConfig.S3_BUCKET_NAME, s3.bucket());
            config.put(RawArchiveConfig.STORE_URL, s3.endpoint());
            config.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, s3.accessKey());
            config.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, s3.secretKey());
            config.put(RawArchiveConfig.TOPICS_DIR, "bench/" + name);
            config.put(RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS, "1000");
            long start = System.nanoTime();
            connect.putConfig(name, config);
            awaitCommitted("connect-" + name, ends);
            double seconds = (System.nanoTime() - start) / 1e9;
            long bytes = 0;
            int objects = 0;
            try (S3Client client = ArchiveContents.client(s3)) {
                for (S3Object object : list(client, s3.bucket(), "bench/" + name + "/")) {
                    bytes += object.size();
                    objects++;
                }
            }
            System.out.printf(Locale.ROOT, "ARCHIVE tasks=%d: %,d events in %.1f s (from creating the connector to the "
                + "last offset committed) = %,.0f events/s, %,.0f events/s per task; %d objects, %,d bytes in S3 = "
                + "%.1f bytes per event%n", tasks, events, seconds, events / seconds, events / seconds / tasks, objects,
                bytes, (double) bytes / events);
            connect.delete(name);
        }
    }

    private static Map<TopicPartition, Long> produce(String topic, long events) throws Exception {
        String bootstrap = Stack.kafka().bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("linger.ms", "20");
        props.put("batch.size", "262144");
        props.put("compression.type", "lz4");
        Workload workload = new Workload("r", -1, 0, 6, 10_000, UserAgentCorpus.real(), 7L);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
            new StringSerializer())) {
            long time = System.currentTimeMillis() - 600_000;
            List<Future<RecordMetadata>> last = new ArrayList<>();
            for (long i = 0; i < events; i++) {
                Workload.Event event = workload.next();
                last.add(producer.send(new ProducerRecord<>(topic, null, time + i / 1000, event.id(), event.json())));
                if (last.size() == 10_000) {
                    for (Future<RecordMetadata> sent : last) {
                        sent.get();
                    }
                    last.clear();
                }
            }
            producer.flush();
            for (Future<RecordMetadata> sent : last) {
                sent.get();
            }
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(request).all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
            return ends;
        }
    }

    private static void awaitCommitted(String group, Map<TopicPartition, Long> ends)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", Stack.kafka().bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, Long> committed = new HashMap<>();
                offsets.forEach((partition, offset) -> committed.put(partition, offset.offset()));
                if (committed.equals(ends)) {
                    return;
                }
                Waits.sleep(100);
            }
        }
        throw new AssertionError(group + " did not commit " + ends + " within 15 minutes");
    }

    private static List<S3Object> list(S3Client client, String bucket, String prefix) {
        List<S3Object> objects = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
            if (token != null) {
                request.continuationToken(token);
            }
            ListObjectsV2Response page = client.listObjectsV2(request.build());
            objects.addAll(page.contents());
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return objects;
    }
}
