package io.github.requestmerge.sink;

import org.apache.kafka.common.TopicPartition;

/** How a document's duplicate marks name the partitions of its events (see {@link io.github.requestmerge.RecordOrigin}). */
final class Offsets {

    private Offsets() {
    }

    /** @return the duplicate-mark source name of a partition, {@code topic/partition} */
    static String source(TopicPartition partition) {
        return partition.topic() + "/" + partition.partition();
    }
}
