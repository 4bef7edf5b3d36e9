package io.github.requestmerge.sink;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Where a record came from, before any transform renamed its topic: the offsets Connect commits
 * are those of the original partition (KIP-793), so tracking must use them too. Falls back to the
 * record's own topic/partition/offset on workers older than Kafka 3.6.
 */
final class Offsets {

    private static final boolean ORIGINALS = hasOriginals();

    private Offsets() {
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

    /** @return the duplicate-mark source name of a partition, {@code topic/partition} */
    static String source(TopicPartition partition) {
        return partition.topic() + "/" + partition.partition();
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
