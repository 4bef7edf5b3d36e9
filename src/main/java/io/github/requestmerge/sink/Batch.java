package io.github.requestmerge.sink;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * Records taken from the buffer for one flush: pending events grouped by document in arrival
 * order, and per partition the offset up to which every record received is in this or an earlier
 * batch (or needed no write). Once the flush completes, those offsets may be committed.
 */
record Batch(LinkedHashMap<DocKey, List<Pending>> groups, Map<TopicPartition, Long> through, int events) {
}
