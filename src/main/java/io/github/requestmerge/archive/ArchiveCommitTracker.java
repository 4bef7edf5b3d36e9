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

    /**
     * @param consumed per assigned partition, the offset after the last record Connect delivered
     * @return the offsets to commit for the assigned partitions: the next offset after the last archived
     *     record, but never beyond what was consumed (an object found in S3 may reach further than the
     *     consumer has read until the seek past it takes effect; every record before the consumed offset is
     *     archived then, and Connect refuses offsets beyond it)
     */
    Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, OffsetAndMetadata> consumed) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> partition : consumed.entrySet()) {
            Long offset = done.get(partition.getKey());
            if (offset != null) {
                long next = partition.getValue() == null ? offset + 1 : Math.min(offset + 1, partition.getValue().offset());
                offsets.put(partition.getKey(), new OffsetAndMetadata(next));
            }
        }
        return offsets;
    }

    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(done::remove);
    }
}
