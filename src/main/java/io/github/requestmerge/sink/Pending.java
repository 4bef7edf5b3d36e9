package io.github.requestmerge.sink;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

import io.github.requestmerge.merge.Event;

/**
 * A record waiting to be merged and written: its document, its event (null for a tombstone that
 * deletes) and the record itself, kept for the dead letter queue and offset tracking.
 */
record Pending(DocKey key, Event event, SinkRecord record, TopicPartition partition, long offset) {

    boolean isTombstone() {
        return event == null;
    }
}
