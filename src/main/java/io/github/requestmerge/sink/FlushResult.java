package io.github.requestmerge.sink;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A completed flush: the offsets it makes committable, once its rejected records are reported.
 *
 * @param through per partition, the offset of the last record the flush accounts for; empty when the
 *     flush only merged (its documents are written at the next checkpoint)
 * @param rejected records that could not be merged or were refused by Elasticsearch, with why
 * @param rewind per partition, the offset to read again from: documents held back could not be written
 *     as merged (another writer changed them), so their events must be merged again; empty normally
 */
record FlushResult(Map<TopicPartition, Long> through, List<Rejected> rejected, Map<TopicPartition, Long> rewind) {

    FlushResult(Map<TopicPartition, Long> through, List<Rejected> rejected) {
        this(through, rejected, Map.of());
    }

    /** A record the flush could not write, and the error to report it with. */
    record Rejected(SinkRecord record, BadRecordException error) {
    }
}
