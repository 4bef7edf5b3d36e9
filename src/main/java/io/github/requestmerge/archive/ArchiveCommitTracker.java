package io.github.requestmerge.archive;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets that are safe to commit: per partition, the last record that is in an object S3
 * acknowledged (written by this task, or found written by an earlier owner). Used by the task thread only.
 */
final class ArchiveCommitTracker {

    private final Map<TopicPartition, Long> done = new HashMap<>();

    /** Records that the partition is archived through {@code offset}. */
    void archivedThrough(TopicPartition partition, long offset) {
        done.merge(partition, offset, Math::max);
    }

    /** @return the offsets to commit for the assigned partitions: the next offset after the last archived record */
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
