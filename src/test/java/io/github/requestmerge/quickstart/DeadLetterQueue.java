package io.github.requestmerge.quickstart;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.github.requestmerge.quickstart.QuickstartReport.DeadLetters;
import io.github.requestmerge.quickstart.QuickstartReport.Reason;

/**
 * The sink's dead letter queue, read as an operator would: how many records it holds, and why they
 * are there, from the error context headers Connect adds ({@code errors.deadletterqueue.context.headers.enable}).
 * Reasons are grouped with the record's place (topic, partition, offset, id) taken out, and each source record
 * counted once: the queue is at least once (a bad record redelivered after a rebalance is reported again).
 * Used by one thread.
 */
final class DeadLetterQueue implements AutoCloseable {

    static final String MESSAGE = "__connect.errors.exception.message";
    static final String EXCEPTION = "__connect.errors.exception.class.name";
    static final String TOPIC = "__connect.errors.topic";
    static final String PARTITION = "__connect.errors.partition";
    static final String OFFSET = "__connect.errors.offset";

    /** The sink names a record by its place and id before saying what is wrong with it. */
    private static final Pattern PLACE = Pattern.compile("^topic \\S+ partition \\d+ offset \\d+: (id '[^']*': )?");

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private List<TopicPartition> known = List.of();

    DeadLetterQueue(String bootstrapServers, String topic) {
        this.topic = topic;
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("enable.auto.commit", "false");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** @return records in the queue now (0 while the worker has not created it) */
    long records() {
        List<TopicPartition> partitions = partitions();
        return partitions.isEmpty() ? 0
            : consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }

    /** @return every record of the queue, grouped by reason */
    DeadLetters read(Duration timeout) {
        List<TopicPartition> partitions = partitions();
        Map<String, Set<String>> byReason = new LinkedHashMap<>();
        Set<String> places = new HashSet<>();
        long records = 0;
        if (!partitions.isEmpty()) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))
                && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    records++;
                    String place = header(record, TOPIC) + "/" + header(record, PARTITION) + " offset "
                        + header(record, OFFSET);
                    places.add(place);
                    byReason.computeIfAbsent(reason(record), key -> new LinkedHashSet<>()).add(place);
                }
            }
        }
        List<Reason> reasons = byReason.entrySet().stream()
            .map(entry -> new Reason(entry.getKey(), entry.getValue().size(), entry.getValue().iterator().next()))
            .sorted((a, b) -> Long.compare(b.count(), a.count())).collect(Collectors.toList());
        return new DeadLetters(topic, records, places.size(), reasons);
    }

    /** @return why the record is in the queue: the error's message without the record's place, or its class */
    static String reason(ConsumerRecord<byte[], byte[]> record) {
        String message = header(record, MESSAGE);
        if (message == null || message.isBlank()) {
            String exception = header(record, EXCEPTION);
            return exception == null ? "(no reason given)" : exception;
        }
        return PLACE.matcher(message).replaceFirst("");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private List<TopicPartition> partitions() {
        if (!known.isEmpty()) {
            return known;
        }
        Map<String, List<PartitionInfo>> topics = consumer.listTopics(Duration.ofSeconds(10));
        List<PartitionInfo> infos = topics.getOrDefault(topic, List.of());
        known = infos.stream().map(info -> new TopicPartition(topic, info.partition())).collect(Collectors.toList());
        return known;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
