package io.github.requestmerge.sink;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * Records taken from the buffer for one flush: pending events grouped by document in arrival
 * order, and per partition the offset up to which every record received is in this or an earlier
 * batch (or needed no write). Once the flush completes, those offsets may be committed.
 *
 * @param from per partition, the first offset the batch accounts for (where to read again if its
 *     events must be merged again)
 * @param newest per partition with events, the newest Kafka timestamp among them (how far behind the
 *     partition is); partitions whose records carry no timestamp are left out
 * @param checkpoint whether every document held back must be written with this batch (a rebalance, a
 *     stop, or the checkpoint interval is up)
 */
record Batch(LinkedHashMap<DocKey, List<Pending>> groups, Map<TopicPartition, Long> through,
             Map<TopicPartition, Long> from, Map<TopicPartition, Long> newest, int events, boolean checkpoint) {

    /** A batch of events whose records carry no timestamps, as tests build it. */
    Batch(LinkedHashMap<DocKey, List<Pending>> groups, Map<TopicPartition, Long> through, int events) {
        this(groups, through, through, Map.of(), events, false);
    }
}
