package io.github.requestmerge.sink;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets that are safe to commit: per partition, the last record whose effect Elasticsearch
 * acknowledged (or that was reported as bad, or needed no write). Used by the task thread only.
 */
final class OffsetTracker {

    private final Map<TopicPartition, Long> done = new HashMap<>();

    /** Records a completed flush. */
    void completed(FlushResult result) {
        result.through().forEach((partition, offset) -> done.merge(partition, offset, Math::max));
    }

    /** @return the offsets to commit for the assigned partitions: next offset to read after the last done record */
    Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, OffsetAndMetadata> assigned) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : assigned.keySet()) {
            Long offset = done.get(partition);
            if (offset != null) {
                offsets.put(partition, new OffsetAndMetadata(offset + 1));
            }
        }
        return offsets;
    }

    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(done::remove);
    }
}
