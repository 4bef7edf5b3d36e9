package io.github.requestmerge;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Where a record came from, before any transform renamed its topic: the offsets Connect commits are those of the
 * original partition (KIP-793), so both sinks track them (the merging sink's duplicate marks and checkpoints, the
 * archive's object names). Falls back to the record's own topic/partition/offset on workers older than Kafka 3.6.
 */
public final class RecordOrigin {

    private static final boolean ORIGINALS = hasOriginals();

    private RecordOrigin() {
    }

    public static String topic(SinkRecord record) {
        return ORIGINALS ? record.originalTopic() : record.topic();
    }

    public static int partition(SinkRecord record) {
        return ORIGINALS ? record.originalKafkaPartition() : record.kafkaPartition();
    }

    public static long offset(SinkRecord record) {
        return ORIGINALS ? record.originalKafkaOffset() : record.kafkaOffset();
    }

    public static TopicPartition topicPartition(SinkRecord record) {
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
