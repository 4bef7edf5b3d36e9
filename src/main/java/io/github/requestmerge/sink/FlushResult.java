package io.github.requestmerge.sink;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A completed flush: the offsets it makes committable, once its rejected records are reported.
 *
 * @param through per partition, the offset of the last record the flush accounts for
 * @param rejected records that could not be merged or were refused by Elasticsearch, with why
 */
record FlushResult(Map<TopicPartition, Long> through, List<Rejected> rejected) {

    /** A record the flush could not write, and the error to report it with. */
    record Rejected(SinkRecord record, BadRecordException error) {
    }
}
