package io.github.requestmerge.archive;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Where a record came from, before any transform renamed its topic: the offsets Connect commits are
 * those of the original partition (KIP-793), and the archive names objects by them. Falls back to the
 * record's own topic/partition/offset on workers older than Kafka 3.6. (The same rule as the merging
 * sink's {@code sink.Offsets}; the archive does not depend on the sink package.)
 */
final class RecordPlace {

    private static final boolean ORIGINALS = hasOriginals();

    private RecordPlace() {
    }

    static String topic(SinkRecord record) {
        return ORIGINALS ? record.originalTopic() : record.topic();
    }

    static int partition(SinkRecord record) {
        return ORIGINALS ? record.originalKafkaPartition() : record.kafkaPartition();
    }

    static long offset(SinkRecord record) {
        return ORIGINALS ? record.originalKafkaOffset() : record.kafkaOffset();
    }

    static TopicPartition topicPartition(SinkRecord record) {
        return new TopicPartition(topic(record), partition(record));
    }

    private static boolean hasOriginals() {
        try {
            SinkRecord.class.getMethod("originalKafkaOffset");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
